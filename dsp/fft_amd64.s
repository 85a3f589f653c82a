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

// loadPermIdx gathers the real parts (even floats) into the low half and the
// imaginary parts into the high half (VPERMPS).
DATA loadPermIdx<>+0(SB)/4, $0
DATA loadPermIdx<>+4(SB)/4, $2
DATA loadPermIdx<>+8(SB)/4, $4
DATA loadPermIdx<>+12(SB)/4, $6
DATA loadPermIdx<>+16(SB)/4, $1
DATA loadPermIdx<>+20(SB)/4, $3
DATA loadPermIdx<>+24(SB)/4, $5
DATA loadPermIdx<>+28(SB)/4, $7
GLOBL loadPermIdx<>(SB), RODATA|NOPTR, $32

// loadConsts: √2/2 and −√2/2.
DATA loadConsts<>+0(SB)/8, $0x3fe6a09e667f3bcd
DATA loadConsts<>+8(SB)/8, $0xbfe6a09e667f3bcd
GLOBL loadConsts<>(SB), RODATA|NOPTR, $16

// LOADP(off, pr, pi): the four windowed points r+off … r+off+3 (R8 = r,
// off in points) as (pr, pi); Y11–Y13 are clobbered. AX = x, BX = win.
#define LOADP(off, pr, pi) \
	LEAQ         off(R8), R12         \
	VMOVUPS      (AX)(R12*8), Y11     \
	VPERMPS      Y11, Y15, Y11        \
	VCVTPS2PD    X11, pr              \
	VEXTRACTF128 $1, Y11, X11         \
	VCVTPS2PD    X11, pi              \
	SHLQ         $4, R12              \
	VMOVUPD      (BX)(R12*1), Y11     \
	VMOVUPD      32(BX)(R12*1), Y12   \
	VUNPCKHPD    Y12, Y11, Y13        \
	VUNPCKLPD    Y12, Y11, Y11        \
	VPERMPD      $0xD8, Y11, Y11      \
	VPERMPD      $0xD8, Y13, Y13      \
	VMULPD       Y11, pr, pr          \
	VMULPD       Y13, pi, pi

// DFT4(p0r..p3i in Y0–Y7): dft4 of the four points, leaving o0 in (Y6, Y7),
// o1 in (Y2, Y3), o2 in (Y8, Y9), o3 in (Y0, Y1).
#define DFT4 \
	VADDPD Y2, Y0, Y8 \
	VSUBPD Y2, Y0, Y0 \
	VADDPD Y3, Y1, Y9 \
	VSUBPD Y3, Y1, Y1 \
	VADDPD Y6, Y4, Y2 \
	VSUBPD Y6, Y4, Y4 \
	VADDPD Y7, Y5, Y3 \
	VSUBPD Y7, Y5, Y5 \
	VADDPD Y2, Y8, Y6 \
	VADDPD Y3, Y9, Y7 \
	VSUBPD Y2, Y8, Y8 \
	VSUBPD Y3, Y9, Y9 \
	VADDPD Y5, Y0, Y2 \
	VSUBPD Y4, Y1, Y3 \
	VSUBPD Y5, Y0, Y0 \
	VADDPD Y4, Y1, Y1

// TRANSPOSE(src, dst, koff): the outputs k … k+3 of the four blocks (four
// rows of lanes at src(SP)) stored at dst + 8·(8·t_j + k) for lane j's
// block t_j (koff = 8k): R9 = t·64, R10 = (o/2)·64, R11 = (o/4)·64. Y0–Y7
// clobbered.
#define TRANSPOSE(src, dst, koff) \
	VMOVUPD    src(SP), Y0          \
	VMOVUPD    src+32(SP), Y1       \
	VMOVUPD    src+64(SP), Y2       \
	VMOVUPD    src+96(SP), Y3       \
	VUNPCKLPD  Y1, Y0, Y4           \
	VUNPCKHPD  Y1, Y0, Y5           \
	VUNPCKLPD  Y3, Y2, Y6           \
	VUNPCKHPD  Y3, Y2, Y7           \
	VPERM2F128 $0x20, Y6, Y4, Y0    \
	VPERM2F128 $0x20, Y7, Y5, Y1    \
	VPERM2F128 $0x31, Y6, Y4, Y2    \
	VPERM2F128 $0x31, Y7, Y5, Y3    \
	LEAQ       koff(dst)(R9*1), R12 \
	VMOVUPD    Y0, (R12)            \
	VMOVUPD    Y1, (R12)(R10*1)     \
	VMOVUPD    Y2, (R12)(R11*1)     \
	ADDQ       R10, R12             \
	VMOVUPD    Y3, (R12)(R11*1)

// func loadAVX(x *float32, win *float64, rev *int32, re, im *float64, m int)
//
// realFFT.load for m ≥ 32, four blocks of eight at a time: the blocks t,
// t+o/2, t+o/4 and t+3o/4 (o = m/8, t < o/4) read the points r … r+3 of
// each of their eight inputs (r = rev[8t]), so each input is one load of
// eight floats; the lanes run load's operations in its order and are
// transposed back into the blocks. Frame: the A outputs (8 rows) at 0, the
// 16 output rows at 256.
TEXT ·loadAVX(SB), 0, $768-48
	MOVQ x+0(FP), AX
	MOVQ win+8(FP), BX
	MOVQ rev+16(FP), CX
	MOVQ re+24(FP), DX
	MOVQ im+32(FP), DI
	MOVQ m+40(FP), SI
	SHRQ $3, SI            // o
	VMOVUPS loadPermIdx<>(SB), Y15
	VBROADCASTSD loadConsts<>(SB), Y14
	MOVQ SI, R10
	SHLQ $5, R10           // (o/2)·64
	MOVQ SI, R11
	SHLQ $4, R11           // (o/4)·64
	MOVQ SI, R13
	SHRQ $2, R13           // o/4 groups
	XORQ R9, R9            // t·64
	SHLQ $6, R13           // (o/4)·64: the end of t·64

group:
	CMPQ R9, R13
	JGE  loaddone
	MOVQ R9, R12
	SHRQ $3, R12           // 8t
	MOVLQSX (CX)(R12*4), R8 // r = rev[8t]

	// A: dft4 of p0 (r), p1 (r+4o), p2 (r+2o), p3 (r+6o).
	LOADP(0, Y0, Y1)
	MOVQ SI, R14
	SHLQ $2, R14
	ADDQ R14, R8
	LOADP(0, Y2, Y3)
	SUBQ SI, R8
	SUBQ SI, R8
	LOADP(0, Y4, Y5)
	ADDQ R14, R8
	LOADP(0, Y6, Y7)       // R8 = r+6o
	DFT4
	VMOVUPD Y6, 0(SP)      // A0r
	VMOVUPD Y7, 32(SP)     // A0i
	VMOVUPD Y2, 64(SP)     // A1r
	VMOVUPD Y3, 96(SP)     // A1i
	VMOVUPD Y8, 128(SP)    // A2r
	VMOVUPD Y9, 160(SP)    // A2i
	VMOVUPD Y0, 192(SP)    // A3r
	VMOVUPD Y1, 224(SP)    // A3i

	// B: dft4 of p4 (r+o), p5 (r+5o), p6 (r+3o), p7 (r+7o).
	SUBQ R14, R8
	SUBQ SI, R8            // r+o
	LOADP(0, Y0, Y1)
	ADDQ R14, R8
	LOADP(0, Y2, Y3)       // r+5o
	SUBQ SI, R8
	SUBQ SI, R8
	LOADP(0, Y4, Y5)       // r+3o
	ADDQ R14, R8
	LOADP(0, Y6, Y7)       // r+7o
	DFT4                   // B0 (Y6, Y7), B1 (Y2, Y3), B2 (Y8, Y9), B3 (Y0, Y1)

	VADDPD Y3, Y2, Y4
	VMULPD Y14, Y4, Y4     // t1r = (B1r+B1i)·c
	VSUBPD Y2, Y3, Y5
	VMULPD Y14, Y5, Y5     // t1i = (B1i−B1r)·c
	VSUBPD Y0, Y1, Y2
	VMULPD Y14, Y2, Y2     // t3r = (B3i−B3r)·c
	VADDPD Y1, Y0, Y3
	VBROADCASTSD loadConsts<>+8(SB), Y10
	VMULPD Y10, Y3, Y3     // t3i = (B3r+B3i)·(−c) = −((B3r+B3i)·c)

	VMOVUPD 0(SP), Y0      // A0r
	VADDPD  Y6, Y0, Y1
	VMOVUPD Y1, 256(SP)    // R0
	VSUBPD  Y6, Y0, Y1
	VMOVUPD Y1, 384(SP)    // R4
	VMOVUPD 32(SP), Y0     // A0i
	VADDPD  Y7, Y0, Y1
	VMOVUPD Y1, 512(SP)    // I0
	VSUBPD  Y7, Y0, Y1
	VMOVUPD Y1, 640(SP)    // I4
	VMOVUPD 64(SP), Y0     // A1r
	VADDPD  Y4, Y0, Y1
	VMOVUPD Y1, 288(SP)    // R1
	VSUBPD  Y4, Y0, Y1
	VMOVUPD Y1, 416(SP)    // R5
	VMOVUPD 96(SP), Y0     // A1i
	VADDPD  Y5, Y0, Y1
	VMOVUPD Y1, 544(SP)    // I1
	VSUBPD  Y5, Y0, Y1
	VMOVUPD Y1, 672(SP)    // I5
	VMOVUPD 128(SP), Y0    // A2r
	VADDPD  Y9, Y0, Y1
	VMOVUPD Y1, 320(SP)    // R2 = A2r + B2i
	VSUBPD  Y9, Y0, Y1
	VMOVUPD Y1, 448(SP)    // R6 = A2r − B2i
	VMOVUPD 160(SP), Y0    // A2i
	VSUBPD  Y8, Y0, Y1
	VMOVUPD Y1, 576(SP)    // I2 = A2i + (−B2r)
	VADDPD  Y8, Y0, Y1
	VMOVUPD Y1, 704(SP)    // I6 = A2i − (−B2r)
	VMOVUPD 192(SP), Y0    // A3r
	VADDPD  Y2, Y0, Y1
	VMOVUPD Y1, 352(SP)    // R3
	VSUBPD  Y2, Y0, Y1
	VMOVUPD Y1, 480(SP)    // R7
	VMOVUPD 224(SP), Y0    // A3i
	VADDPD  Y3, Y0, Y1
	VMOVUPD Y1, 608(SP)    // I3
	VSUBPD  Y3, Y0, Y1
	VMOVUPD Y1, 736(SP)    // I7

	TRANSPOSE(256, DX, 0)
	TRANSPOSE(384, DX, 32)
	TRANSPOSE(512, DI, 0)
	TRANSPOSE(640, DI, 32)

	ADDQ $64, R9
	JMP  group

loaddone:
	VZEROUPPER
	RET
