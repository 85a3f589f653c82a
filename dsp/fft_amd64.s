//go:build amd64 && !purego

#include "textflag.h"

// func radix4AVX2(re, im, tw *float64, m, h int)
//
// Four butterflies of radix4PassGo per iteration: for each block of 4h
// points and j = 0, 4, 8, … < h, with a, b, c, d at j, h+j, 2h+j, 3h+j and
// the twiddle planes tw[0:h] (re w), tw[h:2h] (im w), … tw[5h:6h] (im w³).
TEXT ·radix4AVX2(SB), NOSPLIT, $0-40
	MOVQ re+0(FP), AX
	MOVQ im+8(FP), BX
	MOVQ tw+16(FP), CX
	MOVQ m+24(FP), DX
	MOVQ h+32(FP), R9
	SHLQ $3, DX            // m in bytes
	SHLQ $3, R9            // hb: h in bytes
	LEAQ (R9)(R9*2), R13   // 3hb
	LEAQ (R9*4), DI        // 4hb: the block stride
	LEAQ (DI)(R9*1), SI    // 5hb
	XORQ R8, R8            // block offset s, bytes

block:
	CMPQ R8, DX
	JGE  done
	LEAQ (AX)(R8*1), R10   // &re[s+j]
	LEAQ (BX)(R8*1), R11   // &im[s+j]
	MOVQ CX, R12           // &tw[j]
	LEAQ (R10)(R9*1), R14  // end of the a quarter

inner:
	CMPQ R10, R14
	JGE  nextblock

	VMOVUPD (R12), Y0         // w1r
	VMOVUPD (R12)(R9*1), Y1   // w1i
	VMOVUPD (R12)(R9*2), Y2   // w2r
	VMOVUPD (R12)(R13*1), Y3  // w2i
	VMOVUPD (R12)(DI*1), Y4   // w3r
	VMOVUPD (R12)(SI*1), Y5   // w3i

	// B = w²·b
	VMOVUPD (R10)(R9*1), Y6   // xbr
	VMOVUPD (R11)(R9*1), Y7   // xbi
	VMULPD  Y6, Y2, Y8        // w2r·xbr
	VMULPD  Y7, Y3, Y9        // w2i·xbi
	VSUBPD  Y9, Y8, Y8        // bR
	VMULPD  Y7, Y2, Y9        // w2r·xbi
	VMULPD  Y6, Y3, Y10       // w2i·xbr
	VADDPD  Y10, Y9, Y9       // bI

	// C = w·c
	VMOVUPD (R10)(R9*2), Y6   // xcr
	VMOVUPD (R11)(R9*2), Y7   // xci
	VMULPD  Y6, Y0, Y10       // w1r·xcr
	VMULPD  Y7, Y1, Y11       // w1i·xci
	VSUBPD  Y11, Y10, Y10     // cR
	VMULPD  Y7, Y0, Y11       // w1r·xci
	VMULPD  Y6, Y1, Y12       // w1i·xcr
	VADDPD  Y12, Y11, Y11     // cI

	// D = w³·d
	VMOVUPD (R10)(R13*1), Y6  // xdr
	VMOVUPD (R11)(R13*1), Y7  // xdi
	VMULPD  Y6, Y4, Y12       // w3r·xdr
	VMULPD  Y7, Y5, Y13       // w3i·xdi
	VSUBPD  Y13, Y12, Y12     // dR
	VMULPD  Y7, Y4, Y13       // w3r·xdi
	VMULPD  Y6, Y5, Y14       // w3i·xdr
	VADDPD  Y14, Y13, Y13     // dI

	VMOVUPD (R10), Y0         // xar
	VMOVUPD (R11), Y1         // xai
	VADDPD  Y8, Y0, Y2        // t0r = xar+bR
	VADDPD  Y9, Y1, Y3        // t0i
	VSUBPD  Y8, Y0, Y4        // t1r = xar−bR
	VSUBPD  Y9, Y1, Y5        // t1i
	VADDPD  Y12, Y10, Y6      // t2r = cR+dR
	VADDPD  Y13, Y11, Y7      // t2i
	VSUBPD  Y12, Y10, Y8      // t3r = cR−dR
	VSUBPD  Y13, Y11, Y9      // t3i

	VADDPD  Y6, Y2, Y10
	VMOVUPD Y10, (R10)        // ar = t0r+t2r
	VADDPD  Y7, Y3, Y11
	VMOVUPD Y11, (R11)        // ai = t0i+t2i
	VSUBPD  Y6, Y2, Y10
	VMOVUPD Y10, (R10)(R9*2)  // cr = t0r−t2r
	VSUBPD  Y7, Y3, Y11
	VMOVUPD Y11, (R11)(R9*2)  // ci = t0i−t2i
	VADDPD  Y9, Y4, Y10
	VMOVUPD Y10, (R10)(R9*1)  // br = t1r+t3i
	VSUBPD  Y8, Y5, Y11
	VMOVUPD Y11, (R11)(R9*1)  // bi = t1i−t3r
	VSUBPD  Y9, Y4, Y10
	VMOVUPD Y10, (R10)(R13*1) // dr = t1r−t3i
	VADDPD  Y8, Y5, Y11
	VMOVUPD Y11, (R11)(R13*1) // di = t1i+t3r

	ADDQ $32, R10
	ADDQ $32, R11
	ADDQ $32, R12
	JMP  inner

nextblock:
	ADDQ DI, R8
	JMP  block

done:
	VZEROUPPER
	RET
