# One build, four targets: api, worker, a standalone riverui and s3 (versitygw, a local S3 server).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /out/api ./cmd/api && CGO_ENABLED=0 go build -o /out/worker ./cmd/worker
RUN CGO_ENABLED=0 GOBIN=/out go install riverqueue.com/riverui/cmd/riverui@v0.22.0
RUN CGO_ENABLED=0 GOBIN=/out go install github.com/versity/versitygw/cmd/versitygw@v1.8.0

FROM debian:bookworm-slim AS runtime
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates ffmpeg mpg123 flac && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 phonoglyph && mkdir -p /data/blobs && chown phonoglyph /data/blobs
USER phonoglyph
ENV STORAGE_DIR=/data/blobs

FROM runtime AS api
COPY --from=build /out/api /usr/local/bin/api
EXPOSE 3001
ENTRYPOINT ["api"]

FROM runtime AS worker
COPY --from=build /out/worker /usr/local/bin/worker
ENTRYPOINT ["worker"]

FROM runtime AS riverui
COPY --from=build /out/riverui /usr/local/bin/riverui
EXPOSE 8080
ENTRYPOINT ["riverui"]

FROM debian:bookworm-slim AS s3
COPY --from=build /out/versitygw /usr/local/bin/versitygw
# The bucket is a directory of the posix backend.
RUN mkdir -p /data/s3/phonoglyph
EXPOSE 7070
ENTRYPOINT ["versitygw"]
