//go:build amd64 && !purego

#include "textflag.h"

// func decodeS16AVX(dst *float32, src *byte, n int)
//
// decodeS16 for n samples, n a multiple of 8: eight sign-extended, converted
// (exactly) and scaled by 2^-15 (exactly) per step.
TEXT ·decodeS16AVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x38000000, AX   // 2^-15
	VMOVD AX, X1
	VBROADCASTSS X1, Y1
	XORQ DX, DX

s16loop:
	CMPQ DX, CX
	JGE  s16done
	VPMOVSXWD (SI)(DX*2), Y0
	VCVTDQ2PS Y0, Y0
	VMULPS    Y1, Y0, Y0
	VMOVUPS   Y0, (DI)(DX*4)
	ADDQ      $8, DX
	JMP       s16loop

s16done:
	VZEROUPPER
	RET

// func decodeF32AVX(dst *float32, src *byte, n int) int
//
// decodeF32 for up to n samples (n a multiple of 8), eight at a time, while
// every sample lies in [−1, 1] (then they are copied as they are); it stops
// before the first group of eight that does not and returns how many it
// copied, for the Go loop to clamp the rest.
TEXT ·decodeF32AVX(SB), NOSPLIT, $0-32
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	MOVL $0x3f800000, AX   // 1
	VMOVD AX, X1
	VBROADCASTSS X1, Y1
	MOVL $0xbf800000, AX   // −1
	VMOVD AX, X2
	VBROADCASTSS X2, Y2
	XORQ DX, DX

f32loop:
	CMPQ DX, CX
	JGE  f32done
	VMOVUPS  (SI)(DX*4), Y0
	VCMPPS   $0x1D, Y2, Y0, Y3 // v ≥ −1 (ordered: false for NaN)
	VCMPPS   $0x12, Y1, Y0, Y4 // v ≤ 1 (ordered)
	VANDPS   Y4, Y3, Y3
	VMOVMSKPS Y3, AX
	CMPL     AX, $0xff
	JNE      f32done
	VMOVUPS  Y0, (DI)(DX*4)
	ADDQ     $8, DX
	JMP      f32loop

f32done:
	MOVQ DX, ret+24(FP)
	VZEROUPPER
	RET
