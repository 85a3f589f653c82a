//go:build amd64 && !purego

#include "textflag.h"

// mixIdx gathers the left (even) samples of a vector into its low half and
// the right (odd) ones into its high half (VPERMPS).
DATA mixIdx<>+0(SB)/4, $0
DATA mixIdx<>+4(SB)/4, $2
DATA mixIdx<>+8(SB)/4, $4
DATA mixIdx<>+12(SB)/4, $6
DATA mixIdx<>+16(SB)/4, $1
DATA mixIdx<>+20(SB)/4, $3
DATA mixIdx<>+24(SB)/4, $5
DATA mixIdx<>+28(SB)/4, $7
GLOBL mixIdx<>(SB), RODATA|NOPTR, $32

// func mixStereoAVX(dst, src *float32, n int)
//
// dst[j] = (src[2j] + src[2j+1]) · 0.5 for j < n, n a multiple of 8, as
// mixDown computes it (float32 addition, then the multiplication).
TEXT ·mixStereoAVX(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	VMOVUPS mixIdx<>(SB), Y5
	MOVL $0x3f000000, AX   // 0.5
	VMOVD AX, X6
	VBROADCASTSS X6, Y6
	XORQ DX, DX

mixloop:
	CMPQ DX, CX
	JGE  mixdone
	VMOVUPS    (SI), Y0
	VMOVUPS    32(SI), Y1
	VPERMPS    Y0, Y5, Y0
	VPERMPS    Y1, Y5, Y1
	VPERM2F128 $0x20, Y1, Y0, Y2  // left
	VPERM2F128 $0x31, Y1, Y0, Y3  // right
	VADDPS     Y3, Y2, Y2
	VMULPS     Y6, Y2, Y2
	VMOVUPS    Y2, (DI)(DX*4)
	ADDQ       $64, SI
	ADDQ       $8, DX
	JMP        mixloop

mixdone:
	VZEROUPPER
	RET
