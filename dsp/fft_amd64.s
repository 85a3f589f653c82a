//go:build amd64 && !purego

#include "textflag.h"

// CMUL(re, im, wr, wi, or, oi, t): (or, oi) = (wr + i·wi)·(re + i·im) for
// the four points at memory re, im, as radix4PassGo computes it:
// or = wr·re − wi·im, oi = wr·im + wi·re (Y6, Y7 and t are clobbered;
// t may be the register after oi).
#define CMUL(re, im, wr, wi, or, oi, t) \
	VMOVUPD re, Y6    \
	VMOVUPD im, Y7    \
	VMULPD  Y6, wr, or \
	VMULPD  Y7, wi, oi \
	VSUBPD  oi, or, or \
	VMULPD  Y7, wr, oi \
	VMULPD  Y6, wi, t  \
	VADDPD  t, oi, oi

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

	CMUL((R10)(R9*1), (R11)(R9*1), Y2, Y3, Y8, Y9, Y10)      // B = w²·b
	CMUL((R10)(R9*2), (R11)(R9*2), Y0, Y1, Y10, Y11, Y12)    // C = w·c
	CMUL((R10)(R13*1), (R11)(R13*1), Y4, Y5, Y12, Y13, Y14)  // D = w³·d

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

// func splitPowerAVX(re, im *float64, sp *splitTwiddle, pow *float64, m, n int)
//
// The split loop of realFFT.power for k = 1 … n (n a multiple of 4, at most
// m/2), four k at a time: Z_{m−k} is loaded backwards and reversed, the
// twiddles de-interleaved, and pow[k], then pow[m−k] (reversed back) stored,
// with the Go loop's operations in its order.
TEXT ·splitPowerAVX(SB), NOSPLIT, $0-48
	MOVQ re+0(FP), AX
	MOVQ im+8(FP), BX
	MOVQ sp+16(FP), CX
	MOVQ pow+24(FP), DX
	MOVQ m+32(FP), R8
	MOVQ n+40(FP), R9
	MOVQ $0x3fe0000000000000, DI
	VMOVQ DI, X14
	VBROADCASTSD X14, Y14  // 0.5
	MOVQ $0xbfe0000000000000, DI
	VMOVQ DI, X15
	VBROADCASTSD X15, Y15  // −0.5
	MOVQ $1, SI            // k

splitloop:
	CMPQ SI, R9
	JG   splitdone
	MOVQ R8, R11
	SUBQ SI, R11
	SUBQ $3, R11           // m−k−3
	VMOVUPD (AX)(SI*8), Y0    // zr
	VMOVUPD (BX)(SI*8), Y1    // zi
	VMOVUPD (AX)(R11*8), Y2
	VPERMPD $0x1B, Y2, Y2     // yr
	VMOVUPD (BX)(R11*8), Y3
	VPERMPD $0x1B, Y3, Y3     // yi
	VADDPD  Y2, Y0, Y4
	VMULPD  Y14, Y4, Y4       // er = 0.5(zr+yr)
	VSUBPD  Y3, Y1, Y5
	VMULPD  Y14, Y5, Y5       // ei = 0.5(zi−yi)
	VADDPD  Y3, Y1, Y6
	VMULPD  Y14, Y6, Y6       // or = 0.5(zi+yi)
	VSUBPD  Y2, Y0, Y7
	VMULPD  Y15, Y7, Y7       // oi = −0.5(zr−yr)
	MOVQ    SI, R10
	SHLQ    $4, R10
	ADDQ    CX, R10           // &sp[k]
	VMOVUPD (R10), Y8         // r0 i0 r1 i1
	VMOVUPD 32(R10), Y9       // r2 i2 r3 i3
	VUNPCKLPD Y9, Y8, Y10
	VPERMPD $0xD8, Y10, Y10   // wr
	VUNPCKHPD Y9, Y8, Y11
	VPERMPD $0xD8, Y11, Y11   // wi
	VMULPD  Y6, Y10, Y12
	VMULPD  Y7, Y11, Y13
	VSUBPD  Y13, Y12, Y12     // tr = wr·or − wi·oi
	VMULPD  Y7, Y10, Y13
	VMULPD  Y6, Y11, Y0
	VADDPD  Y0, Y13, Y13      // ti = wr·oi + wi·or
	VADDPD  Y12, Y4, Y0       // xr = er+tr
	VADDPD  Y13, Y5, Y1       // xi = ei+ti
	VMULPD  Y0, Y0, Y0
	VMULPD  Y1, Y1, Y1
	VADDPD  Y1, Y0, Y0
	VMOVUPD Y0, (DX)(SI*8)    // pow[k]
	VSUBPD  Y12, Y4, Y2       // er−tr
	VSUBPD  Y5, Y13, Y3       // −ei+ti
	VMULPD  Y2, Y2, Y2
	VMULPD  Y3, Y3, Y3
	VADDPD  Y3, Y2, Y2
	VPERMPD $0x1B, Y2, Y2
	VMOVUPD Y2, (DX)(R11*8)   // pow[m−k]
	ADDQ    $4, SI
	JMP     splitloop

splitdone:
	VZEROUPPER
	RET
