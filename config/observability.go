package config

// Observability is where ops read the processes: Prometheus metrics on a
// listener of their own and, optionally, OpenTelemetry traces.
type Observability struct {
	// MetricsAddr is where /metrics listens (e.g. 127.0.0.1:9464, or :9464
	// in a container); empty, the default, turns it off. It is never served
	// on the public PORT.
	MetricsAddr string `env:"METRICS_ADDR"`
	// OTLPEndpoint, when set, turns tracing on and exports spans there over
	// OTLP/HTTP (the exporter reads the other OTEL_EXPORTER_OTLP_* variables
	// itself); empty, tracing is off.
	OTLPEndpoint string `env:"OTEL_EXPORTER_OTLP_ENDPOINT"`
}
