package api

import (
	"math"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"

	"phonoglyph"
)

// Limits is the request rate each caller gets: Rate requests a second on
// average with bursts of Burst. A zero Rate turns the limit off. Limiters
// live in this process: with several API replicas behind a balancer a user
// gets up to the rate at each of them.
type Limits struct {
	Rate  float64
	Burst int
}

// idleLimiter is how long a caller's limiter is kept after its last request.
const idleLimiter = 10 * time.Minute

// rateLimiter holds one token bucket per caller.
type rateLimiter struct {
	limits Limits
	mu     sync.Mutex
	byKey  map[string]*callerLimit
	swept  time.Time
}

type callerLimit struct {
	lim  *rate.Limiter
	seen time.Time
}

func newRateLimiter(l Limits) *rateLimiter {
	return &rateLimiter{limits: l, byKey: map[string]*callerLimit{}, swept: time.Now()}
}

// delay takes one request from key's bucket and returns 0, or how long the
// caller must wait before the next request is admitted (taking nothing).
func (r *rateLimiter) delay(key string, now time.Time) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.Sub(r.swept) > idleLimiter {
		for k, c := range r.byKey {
			if now.Sub(c.seen) > idleLimiter {
				delete(r.byKey, k)
			}
		}
		r.swept = now
	}
	c, ok := r.byKey[key]
	if !ok {
		c = &callerLimit{lim: rate.NewLimiter(rate.Limit(r.limits.Rate), max(1, r.limits.Burst))}
		r.byKey[key] = c
	}
	c.seen = now
	res := c.lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return d
	}
	return 0
}

// rateLimit answers 429 with Retry-After (whole seconds) to a caller over
// its request rate: a user by id, an anonymous caller by peer address
// (behind a proxy, anonymous callers share the proxy's bucket).
// Echo applies group middleware per request, so the buckets live on the
// Server (s.limiter), not in this closure.
func (s *Server) rateLimit(next echo.HandlerFunc) echo.HandlerFunc {
	rl := s.limiter
	if rl == nil {
		return next
	}
	return func(c echo.Context) error {
		// The peer address, not X-Forwarded-For, which any client can set.
		host, _, _ := net.SplitHostPort(c.Request().RemoteAddr)
		key := "ip:" + host
		if id, ok := identity(c); ok {
			key = "user:" + id.UserID
		}
		if d := rl.delay(key, time.Now()); d > 0 {
			secs := int(math.Ceil(d.Seconds()))
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			return phonoglyph.Errorf(phonoglyph.ERATELIMITED, "Too many requests: try again in %d s.", secs)
		}
		return next(c)
	}
}
