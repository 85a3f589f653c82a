//go:build amd64 && !purego

#include "textflag.h"

// func waveExtremaAVX(v *float32, n int, lo, hi *float32)
//
// The smallest and largest of v[0:n], n a multiple of 8, into *lo and *hi:
// eight running extrema, then the lanes reduced. (Which of two equal zeros
// is returned is not defined; the caller redoes those chunks.)
TEXT ·waveExtremaAVX(SB), NOSPLIT, $0-32
	MOVQ v+0(FP), SI
	MOVQ n+8(FP), CX
	MOVQ lo+16(FP), DI
	MOVQ hi+24(FP), DX
	VMOVUPS (SI), Y0       // running minima
	VMOVAPS Y0, Y1         // running maxima
	MOVQ    $8, AX

wxloop:
	CMPQ AX, CX
	JGE  wxreduce
	VMOVUPS (SI)(AX*4), Y2
	VMINPS  Y0, Y2, Y0
	VMAXPS  Y1, Y2, Y1
	ADDQ    $8, AX
	JMP     wxloop

wxreduce:
	VEXTRACTF128 $1, Y0, X2
	VMINPS   X2, X0, X0
	VEXTRACTF128 $1, Y1, X3
	VMAXPS   X3, X1, X1
	VPSHUFD  $0x4E, X0, X2
	VMINPS   X2, X0, X0
	VPSHUFD  $0x4E, X1, X3
	VMAXPS   X3, X1, X1
	VPSHUFD  $0xB1, X0, X2
	VMINPS   X2, X0, X0
	VPSHUFD  $0xB1, X1, X3
	VMAXPS   X3, X1, X1
	VMOVSS   X0, (DI)
	VMOVSS   X1, (DX)
	VZEROUPPER
	RET
