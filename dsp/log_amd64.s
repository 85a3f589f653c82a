//go:build amd64 && !purego

#include "textflag.h"

// The constants of Go's math.Log (src/math/log_amd64.s).
DATA logConsts<>+0(SB)/8, $0x000FFFFFFFFFFFFF  // mantissa mask
DATA logConsts<>+8(SB)/8, $0x3FE0000000000000  // 0.5
DATA logConsts<>+16(SB)/8, $0x4330000000000000 // 2^52
DATA logConsts<>+24(SB)/8, $0x408FF00000000000 // 1022
DATA logConsts<>+32(SB)/8, $0x3FE6A09E667F3BCD // √2/2
DATA logConsts<>+40(SB)/8, $0x3FF0000000000000 // 1
DATA logConsts<>+48(SB)/8, $0x4000000000000000 // 2
DATA logConsts<>+56(SB)/8, $0x3FE5555555555593 // L1
DATA logConsts<>+64(SB)/8, $0x3FD999999997FA04 // L2
DATA logConsts<>+72(SB)/8, $0x3FD2492494229359 // L3
DATA logConsts<>+80(SB)/8, $0x3FCC71C51D8E78AF // L4
DATA logConsts<>+88(SB)/8, $0x3FC7466496CB03DE // L5
DATA logConsts<>+96(SB)/8, $0x3FC39A09D078C69F // L6
DATA logConsts<>+104(SB)/8, $0x3FC2F112DF3E5244 // L7
DATA logConsts<>+112(SB)/8, $0x3FE62E42FEE00000 // Ln2Hi
DATA logConsts<>+120(SB)/8, $0x3DEA39EF35793C76 // Ln2Lo
GLOBL logConsts<>(SB), RODATA|NOPTR, $128

#define C(off) logConsts<>+off(SB)

// func logAVX(dst, src *float64, n int)
//
// dst[i] = math.Log(src[i]) for i < n, n a multiple of 4, every src[i] a
// positive normal finite number: Go's amd64 math.Log four lanes at a time,
// its operations in its order (the exponent converted exactly through 2^52
// instead of CVTSL2SD).
TEXT ·logAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	XORQ DX, DX

logloop:
	CMPQ DX, CX
	JGE  logdone
	VMOVUPD (SI)(DX*8), Y0            // x
	VBROADCASTSD C(0), Y8
	VANDPD  Y8, Y0, Y2
	VBROADCASTSD C(8), Y8
	VORPD   Y8, Y2, Y2                // f1
	VPSRLQ  $52, Y0, Y1               // the exponent field (x > 0)
	VBROADCASTSD C(16), Y8
	VPOR    Y8, Y1, Y1
	VSUBPD  Y8, Y1, Y1                // as a double, exactly
	VBROADCASTSD C(24), Y8
	VSUBPD  Y8, Y1, Y1                // k
	VBROADCASTSD C(32), Y8
	VCMPPD  $5, Y2, Y8, Y0            // !(√2/2 < f1)
	VBROADCASTSD C(40), Y9            // 1
	VANDPD  Y9, Y0, Y3                // 0 or 1
	VSUBPD  Y3, Y1, Y1                // k -= 0 or 1
	VADDPD  Y9, Y3, Y3                // 1 or 2
	VMULPD  Y3, Y2, Y2                // f1
	VSUBPD  Y9, Y2, Y2                // f = f1 − 1
	VBROADCASTSD C(48), Y0
	VADDPD  Y2, Y0, Y0                // 2 + f
	VDIVPD  Y0, Y2, Y3                // s = f / (2+f)
	VMULPD  Y3, Y3, Y4                // s2
	VMULPD  Y4, Y4, Y5                // s4
	VBROADCASTSD C(104), Y6           // L7
	VMULPD  Y5, Y6, Y6
	VBROADCASTSD C(88), Y8
	VADDPD  Y8, Y6, Y6                // + L5
	VMULPD  Y5, Y6, Y6
	VBROADCASTSD C(72), Y8
	VADDPD  Y8, Y6, Y6                // + L3
	VMULPD  Y5, Y6, Y6
	VBROADCASTSD C(56), Y8
	VADDPD  Y8, Y6, Y6                // + L1
	VMULPD  Y6, Y4, Y4                // t1 = s2·(…)
	VBROADCASTSD C(96), Y6            // L6
	VMULPD  Y5, Y6, Y6
	VBROADCASTSD C(80), Y8
	VADDPD  Y8, Y6, Y6                // + L4
	VMULPD  Y5, Y6, Y6
	VBROADCASTSD C(64), Y8
	VADDPD  Y8, Y6, Y6                // + L2
	VMULPD  Y6, Y5, Y5                // t2 = s4·(…)
	VADDPD  Y5, Y4, Y4                // R = t1 + t2
	VBROADCASTSD C(8), Y0             // 0.5
	VMULPD  Y2, Y0, Y0
	VMULPD  Y2, Y0, Y0                // hfsq = 0.5·f·f
	VADDPD  Y0, Y4, Y4                // hfsq + R
	VMULPD  Y4, Y3, Y3                // s·(hfsq+R)
	VBROADCASTSD C(120), Y4           // Ln2Lo
	VMULPD  Y1, Y4, Y4                // k·Ln2Lo
	VADDPD  Y4, Y3, Y3                // s·(hfsq+R) + k·Ln2Lo
	VSUBPD  Y3, Y0, Y0                // hfsq − (…)
	VSUBPD  Y2, Y0, Y0                // (…) − f
	VBROADCASTSD C(112), Y8           // Ln2Hi
	VMULPD  Y8, Y1, Y1                // k·Ln2Hi
	VSUBPD  Y0, Y1, Y1                // k·Ln2Hi − (…)
	VMOVUPD Y1, (DI)(DX*8)
	ADDQ    $4, DX
	JMP     logloop

logdone:
	VZEROUPPER
	RET
