//go:build !amd64 || purego

package dsp

// decodeS16Vector does nothing on this architecture (decodeS16's Go loop
// decodes every sample).
func decodeS16Vector(dst []float32, src []byte) int { return 0 }

// decodeF32Vector does nothing on this architecture (decodeF32's Go loop
// decodes every sample).
func decodeF32Vector(dst []float32, src []byte) int { return 0 }
