package dsp

// FMeasure exposes fMeasure to the external tests (package dsp_test).
var FMeasure = fMeasure
