// Package dsp decodes audio safely and computes the analyses the
// audio_analysis worker stores.
//
// Every function works on an io.Reader and does no other I/O. Input is
// untrusted: header length fields never size an allocation, decoding is
// streamed through fixed-size buffers, and every error caused by the input
// wraps ErrInvalid so callers can fail a job permanently instead of retrying.
package dsp
