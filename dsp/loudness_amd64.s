//go:build amd64 && !purego

#include "textflag.h"

// func kWeightStereoAVX(samples *float32, z *float64, n int, coef *[16]float64, state *[12]float64)
//
// Per frame, in lanes (left, right), in filterStereoGo's order:
//   y = b0·x + b1·x1 + b2·x2 − a2·y2 − a1·y1          (shelf)
//   v = y − 2·y1 + y2 − ha2·v2 − ha1·v1              (high-pass, numerator 1, −2, 1)
//   z = w0·vl·vl + w1·vr·vr
// Coefficients are read from coef (16-byte pairs: b0 b1 b2 a1 a2 ha1 ha2 w).
TEXT ·kWeightStereoAVX(SB), NOSPLIT, $0-40
	MOVQ samples+0(FP), SI
	MOVQ z+8(FP), DI
	MOVQ n+16(FP), CX
	MOVQ coef+24(FP), DX
	MOVQ state+32(FP), BX
	VMOVUPD 0(BX), X8     // x1
	VMOVUPD 16(BX), X9    // x2
	VMOVUPD 32(BX), X10   // y1
	VMOVUPD 48(BX), X11   // y2
	VMOVUPD 64(BX), X12   // v1
	VMOVUPD 80(BX), X13   // v2

loop:
	TESTQ CX, CX
	JLE   end
	VMOVQ    (SI), X0          // two float32
	VCVTPS2PD X0, X0           // x
	VMULPD   0(DX), X0, X1     // b0·x
	VMULPD   16(DX), X8, X2    // b1·x1
	VADDPD   X2, X1, X1
	VMULPD   32(DX), X9, X2    // b2·x2
	VADDPD   X2, X1, X1
	VMULPD   64(DX), X11, X2   // a2·y2
	VSUBPD   X2, X1, X1
	VMULPD   48(DX), X10, X2   // a1·y1
	VSUBPD   X2, X1, X1        // y
	VADDPD   X10, X10, X2      // 2·y1
	VSUBPD   X2, X1, X3        // y − 2·y1
	VADDPD   X11, X3, X3       // + y2
	VMULPD   96(DX), X13, X2   // ha2·v2
	VSUBPD   X2, X3, X3
	VMULPD   80(DX), X12, X2   // ha1·v1
	VSUBPD   X2, X3, X3        // v
	VMULPD   112(DX), X3, X2   // w·v
	VMULPD   X3, X2, X2        // w·v·v
	VUNPCKHPD X2, X2, X4       // right lane
	VADDSD   X4, X2, X2
	VMOVSD   X2, (DI)
	VMOVAPD  X8, X9            // x2 = x1
	VMOVAPD  X0, X8            // x1 = x
	VMOVAPD  X10, X11          // y2 = y1
	VMOVAPD  X1, X10           // y1 = y
	VMOVAPD  X12, X13          // v2 = v1
	VMOVAPD  X3, X12           // v1 = v
	ADDQ $8, SI
	ADDQ $8, DI
	DECQ CX
	JMP  loop

end:
	VMOVUPD X8, 0(BX)
	VMOVUPD X9, 16(BX)
	VMOVUPD X10, 32(BX)
	VMOVUPD X11, 48(BX)
	VMOVUPD X12, 64(BX)
	VMOVUPD X13, 80(BX)
	RET

// func blockMaxAVX(h *float32, nb int, out *float32)
//
// out[b] = the float with the bits of the largest |v| (bit pattern with the
// sign cleared, compared as unsigned integers) of h[24b : 24b+24], b < nb:
// what maxAbsBits computes for each whole block (the maximum of integers
// does not depend on the order).
TEXT ·blockMaxAVX(SB), NOSPLIT, $0-24
	MOVQ h+0(FP), AX
	MOVQ nb+8(FP), CX
	MOVQ out+16(FP), DX
	VPCMPEQD Y7, Y7, Y7
	VPSRLD   $1, Y7, Y7     // sign-clear mask
	XORQ     SI, SI

bmloop:
	CMPQ SI, CX
	JGE  bmdone
	VPAND    (AX), Y7, Y0
	VPAND    32(AX), Y7, Y1
	VPAND    64(AX), Y7, Y2
	VPMAXUD  Y1, Y0, Y0
	VPMAXUD  Y2, Y0, Y0
	VEXTRACTI128 $1, Y0, X1
	VPMAXUD  X1, X0, X0
	VPSHUFD  $0x4E, X0, X1
	VPMAXUD  X1, X0, X0
	VPSHUFD  $0xB1, X0, X1
	VPMAXUD  X1, X0, X0
	VMOVD    X0, (DX)(SI*4)
	ADDQ     $96, AX
	INCQ     SI
	JMP      bmloop

bmdone:
	VZEROUPPER
	RET

// evenIdx picks the even floats of a vector into its low half (VPERMPS).
DATA evenIdx<>+0(SB)/4, $0
DATA evenIdx<>+4(SB)/4, $2
DATA evenIdx<>+8(SB)/4, $4
DATA evenIdx<>+12(SB)/4, $6
DATA evenIdx<>+16(SB)/4, $1
DATA evenIdx<>+20(SB)/4, $3
DATA evenIdx<>+24(SB)/4, $5
DATA evenIdx<>+28(SB)/4, $7
GLOBL evenIdx<>(SB), RODATA|NOPTR, $32

// func deinterleave2AVX(dst, src *float32, n int)
//
// dst[i] = src[2i] for i < n, n a multiple of 8 (src is read up to
// src[2n−1]).
TEXT ·deinterleave2AVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS evenIdx<>(SB), Y3
	XORQ DX, DX

dlloop:
	CMPQ DX, CX
	JGE  dldone
	VMOVUPS    (SI), Y0
	VMOVUPS    32(SI), Y1
	VPERMPS    Y0, Y3, Y0
	VPERMPS    Y1, Y3, Y1
	VPERM2F128 $0x20, Y1, Y0, Y2
	VMOVUPS    Y2, (DI)(DX*4)
	ADDQ       $64, SI
	ADDQ       $8, DX
	JMP        dlloop

dldone:
	VZEROUPPER
	RET
