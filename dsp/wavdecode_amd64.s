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
