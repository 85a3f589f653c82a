package runpod

import (
	"net/http"
	"strings"
)

// operations are the endpoint's API operations, the path segment after the
// endpoint id.
var operations = map[string]bool{"run": true, "runsync": true, "status": true, "cancel": true, "health": true,
	"purge-queue": true, "stream": true, "retry": true}

// Operation names the RunPod operation of a request this client sent (run,
// status, cancel, health…), "other" for any other path: a label for
// metrics of the calls, without the job id the path may hold.
func Operation(r *http.Request) string {
	for seg := range strings.SplitSeq(r.URL.Path, "/") {
		if operations[seg] {
			return seg
		}
	}
	return "other"
}
