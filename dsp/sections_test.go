package dsp

import (
	"slices"
	"testing"
)

// TestSectionBoundsTail: a change with two bars after it (the last note's
// ring-out at the end of the bar grid) ends the last section instead of
// starting one; the same change with three bars after it is a boundary.
func TestSectionBoundsTail(t *testing.T) {
	track := func(loud, quiet int) [][]float64 {
		var f [][]float64
		for range loud {
			f = append(f, []float64{-10, -12, -15, -14})
		}
		for range quiet {
			f = append(f, []float64{-40, -45, -50, -44})
		}
		return f
	}
	if b := sectionBounds(track(12, 2)); len(b) != 0 {
		t.Errorf("boundaries %v in a track whose last two bars are its tail, want none", b)
	}
	if b := sectionBounds(track(12, 3)); !slices.Equal(b, []int{12}) {
		t.Errorf("boundaries %v, want [12]", b)
	}
}

// TestSectionBoundsShortBreak: a 2-bar break between two 8-bar sections
// has boundaries on both of its bar lines, neither a bar off.
func TestSectionBoundsShortBreak(t *testing.T) {
	var f [][]float64
	for i := range 18 {
		switch {
		case i < 8:
			f = append(f, []float64{-14, -12, -15, -16})
		case i < 10:
			f = append(f, []float64{-40, -30, -35, -38})
		default:
			f = append(f, []float64{-10, -11, -12, -13})
		}
	}
	if b := sectionBounds(f); !slices.Equal(b, []int{8, 10}) {
		t.Errorf("boundaries %v, want [8 10]", b)
	}
}
