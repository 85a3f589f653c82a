package lambdatest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxPayload is Lambda's limit on a synchronous invocation's payload.
const maxPayload = 6 << 20

// invoke serves Lambda's Invoke API for the one function there is.
func (s *Server) invoke(w http.ResponseWriter, req *http.Request) {
	name := req.PathValue("name")
	if name != s.opt.FunctionName && !strings.HasSuffix(name, ":function:"+s.opt.FunctionName) {
		awsError(w, http.StatusNotFound, "ResourceNotFoundException",
			"Function not found: arn:aws:lambda:us-east-1:000000000000:function:"+name)
		return
	}
	body, err := io.ReadAll(io.LimitReader(req.Body, maxPayload+1))
	if err != nil {
		awsError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not read request body: "+err.Error())
		return
	}
	if len(body) > maxPayload {
		awsError(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLargeException",
			fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", maxPayload))
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	var payload map[string]json.RawMessage
	if err := json.Unmarshal(body, &payload); err != nil {
		awsError(w, http.StatusBadRequest, "InvalidRequestContentException", "Could not parse request body into json: "+err.Error())
		return
	}
	switch t := req.Header.Get("X-Amz-Invocation-Type"); t {
	case "", "RequestResponse":
	case "Event":
		// Queued for later in Lambda; the stand-in runs nothing.
		w.WriteHeader(http.StatusAccepted)
		return
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		awsError(w, http.StatusBadRequest, "InvalidParameterValueException", "Unsupported invocation type "+t)
		return
	}
	if s.take(&s.throttle) {
		w.Header().Set("X-Amzn-ErrorType", "TooManyRequestsException")
		writeJSON(w, http.StatusTooManyRequests, map[string]string{
			"Type": "User", "message": "Rate Exceeded.", "Reason": "ConcurrentInvocationLimitExceeded",
		})
		return
	}
	w.Header().Set("X-Amz-Executed-Version", "$LATEST")
	if s.take(&s.crash) {
		w.Header().Set("X-Amz-Function-Error", "Unhandled")
		writeJSON(w, http.StatusOK, map[string]string{
			"errorType":    "Runtime.ExitError",
			"errorMessage": "RequestId: 00000000-0000-0000-0000-000000000000 Error: Runtime exited with error: signal: killed",
		})
		return
	}
	var routine string
	_ = json.Unmarshal(payload["type"], &routine)
	var res any
	switch routine {
	case "start":
		res, err = s.start(payload)
	case "status":
		res, err = s.status(payload)
	default:
		//lint:ignore ST1005 Remotion's own message, verbatim: clients match on it
		err = fmt.Errorf("Command %q not found", routine)
	}
	if err != nil {
		res = map[string]string{"type": "error", "message": err.Error(), "stack": "Error: " + err.Error() + "\n    at lambdatest"}
	}
	writeJSON(w, http.StatusOK, res)
}

// take consumes one of the invocations *n counts down, reporting whether
// there was one.
func (s *Server) take(n *int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if *n <= 0 {
		return false
	}
	*n--
	return true
}

// awsError writes a Lambda service error as the REST-JSON protocol does.
func awsError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Amzn-ErrorType", code)
	writeJSON(w, status, map[string]string{"Type": "User", "message": msg})
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-RequestId", "00000000-0000-0000-0000-000000000000")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
