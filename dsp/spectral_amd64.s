//go:build amd64 && !purego

#include "textflag.h"

// ACC(y, x, acc): acc += the low pair of y, then acc += its high pair (the
// even and odd chains of spectral.compute take bins k, k+1, then k+2, k+3).
// x is y's low half; X15 is clobbered.
#define ACC(y, x, acc) \
	VADDPD       x, acc, acc \
	VEXTRACTF128 $1, y, X15  \
	VADDPD       X15, acc, acc

// func spectralSumsAVX(pow, mag, prev, freq *float64, n int, acc *[8]float64)
//
// The first loop of spectral.compute over bins [0, n), n a multiple of 4:
// mag = √pow, and the even/odd pairs (Σ mag, Σ f·mag, Σ pow, Σ max(mag −
// prev, 0) as (d+|d|)·0.5) added onto acc in the order the Go loop adds them.
TEXT ·spectralSumsAVX(SB), NOSPLIT, $0-48
	MOVQ pow+0(FP), AX
	MOVQ mag+8(FP), BX
	MOVQ prev+16(FP), CX
	MOVQ freq+24(FP), DX
	MOVQ n+32(FP), R8
	MOVQ acc+40(FP), R9
	SHLQ $3, R8            // n in bytes
	XORQ SI, SI

	VMOVUPD (R9), X10      // (m0, m1)
	VMOVUPD 16(R9), X11    // (f0, f1)
	VMOVUPD 32(R9), X12    // (p0, p1)
	VMOVUPD 48(R9), X13    // (d0, d1)
	VPCMPEQQ Y8, Y8, Y8
	VPSRLQ   $1, Y8, Y8    // |x| mask
	MOVQ     $0x3fe0000000000000, DI
	VMOVQ    DI, X9
	VBROADCASTSD X9, Y9    // 0.5

loop:
	CMPQ SI, R8
	JGE  done
	VMOVUPD (AX)(SI*1), Y0     // p
	VSQRTPD Y0, Y1             // m
	VMOVUPD Y1, (BX)(SI*1)
	VMULPD  (DX)(SI*1), Y1, Y2 // m·f
	VSUBPD  (CX)(SI*1), Y1, Y3 // d = m − prev
	VANDPD  Y8, Y3, Y4         // |d|
	VADDPD  Y4, Y3, Y3         // d + |d|
	VMULPD  Y9, Y3, Y3         // ·0.5
	ACC(Y1, X1, X10)
	ACC(Y2, X2, X11)
	ACC(Y0, X0, X12)
	ACC(Y3, X3, X13)
	ADDQ $32, SI
	JMP  loop

done:
	VMOVUPD X10, (R9)
	VMOVUPD X11, 16(R9)
	VMOVUPD X12, 32(R9)
	VMOVUPD X13, 48(R9)
	VZEROUPPER
	RET

// func bandSumsAVX(x *float64, edges *int, nb int, out *float64)
//
// out[b] = sum4(x[edges[b]:edges[b+1]]) for b < nb: per band four running
// sums (a, b, c, d) in one register, the leftover values added to a one by
// one, then (a+b)+(c+d), as sum4 adds them.
TEXT ·bandSumsAVX(SB), NOSPLIT, $0-32
	MOVQ x+0(FP), SI
	MOVQ edges+8(FP), BX
	MOVQ nb+16(FP), CX
	MOVQ out+24(FP), DI
	XORQ R8, R8            // band

bsband:
	CMPQ R8, CX
	JGE  bsdone
	MOVQ (BX)(R8*8), AX    // lo
	MOVQ 8(BX)(R8*8), DX   // hi
	VXORPD Y0, Y0, Y0      // (a, b, c, d)
	LEAQ 4(AX), R9

bsvec:
	CMPQ R9, DX
	JG   bstail
	VADDPD (SI)(AX*8), Y0, Y0
	ADDQ $4, AX
	ADDQ $4, R9
	JMP  bsvec

bstail:
	CMPQ AX, DX
	JGE  bscombine
	VADDSD (SI)(AX*8), X0, X1  // a += v (the upper lanes kept from X0)
	VBLENDPD $1, Y1, Y0, Y0
	INCQ AX
	JMP  bstail

bscombine:
	VEXTRACTF128 $1, Y0, X1    // (c, d)
	VUNPCKHPD X0, X0, X2       // b
	VADDSD    X2, X0, X2       // a+b
	VUNPCKHPD X1, X1, X3       // d
	VADDSD    X3, X1, X3       // c+d
	VADDSD    X3, X2, X2
	VMOVSD    X2, (DI)(R8*8)
	INCQ R8
	JMP  bsband

bsdone:
	VZEROUPPER
	RET
