package remotion

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"phonoglyph"
)

// Version is the Remotion release this package speaks: every payload
// carries it, and the deployed function refuses any other version.
const Version = "4.0.390"

// Defaults and limits of a render function's memory (MB), disk (MB) and
// timeout (seconds), as Remotion deploys them.
const (
	defaultMemoryMB   = 2048
	defaultDiskMB     = 2048
	defaultTimeoutSec = 120
	minMemoryMB       = 512
	maxMemoryMB       = 10240
	minDiskMB         = 512
	maxDiskMB         = 10240
	minTimeoutSec     = 15
	maxTimeoutSec     = 900
)

// functionNameRE matches the names Remotion gives its render functions.
var functionNameRE = regexp.MustCompile(`^remotion-render-(.*)-mem(\d+)mb-disk(\d+)mb-(\d+)sec$`)

// versionInName is how Remotion writes version v into function names: dots
// and pluses become dashes, and only the first 10 characters are kept.
func versionInName(v string) string {
	s := strings.NewReplacer(".", "-", "+", "-").Replace(v)
	if len(s) > 10 {
		s = s[:10]
	}
	return s
}

// FunctionName returns the name Remotion gives the render function of
// [Version] deployed with the given memory (MB), disk (MB) and timeout
// (seconds), such as remotion-render-4-0-390-mem3008mb-disk2048mb-600sec. A
// zero argument takes Remotion's default (2048 MB, 2048 MB, 120 s).
func FunctionName(memoryMB, diskMB, timeoutSec int) string {
	if memoryMB == 0 {
		memoryMB = defaultMemoryMB
	}
	if diskMB == 0 {
		diskMB = defaultDiskMB
	}
	if timeoutSec == 0 {
		timeoutSec = defaultTimeoutSec
	}
	return fmt.Sprintf("remotion-render-%s-mem%dmb-disk%dmb-%dsec", versionInName(Version), memoryMB, diskMB, timeoutSec)
}

// ParseFunctionName splits a Remotion render function's name into the
// version as the name writes it (dashes for dots: "4-0-390"), memory (MB),
// disk (MB) and timeout (seconds). A name of another shape, or with a value
// outside what Remotion deploys (memory and disk 512–10240 MB, timeout
// 15–900 s), is an EINVALID error.
func ParseFunctionName(name string) (version string, memoryMB, diskMB, timeoutSec int, err error) {
	m := functionNameRE.FindStringSubmatch(name)
	if m == nil {
		return "", 0, 0, 0, phonoglyph.Errorf(phonoglyph.EINVALID,
			"%q is not a Remotion render function name (remotion-render-<version>-mem<MB>mb-disk<MB>mb-<seconds>sec).", name)
	}
	values := make([]int, 3)
	for i, s := range m[2:] {
		if values[i], err = strconv.Atoi(s); err != nil {
			return "", 0, 0, 0, phonoglyph.Errorf(phonoglyph.EINVALID, "%q has an out-of-range number %s.", name, s)
		}
	}
	memoryMB, diskMB, timeoutSec = values[0], values[1], values[2]
	switch {
	case memoryMB < minMemoryMB || memoryMB > maxMemoryMB:
		err = phonoglyph.Errorf(phonoglyph.EINVALID, "%q: memory must be %d–%d MB.", name, minMemoryMB, maxMemoryMB)
	case diskMB < minDiskMB || diskMB > maxDiskMB:
		err = phonoglyph.Errorf(phonoglyph.EINVALID, "%q: disk must be %d–%d MB.", name, minDiskMB, maxDiskMB)
	case timeoutSec < minTimeoutSec || timeoutSec > maxTimeoutSec:
		err = phonoglyph.Errorf(phonoglyph.EINVALID, "%q: timeout must be %d–%d seconds.", name, minTimeoutSec, maxTimeoutSec)
	}
	if err != nil {
		return "", 0, 0, 0, err
	}
	return m[1], memoryMB, diskMB, timeoutSec, nil
}
