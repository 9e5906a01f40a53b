# syntax=docker/dockerfile:1
# hetl as a container: a static binary on a small base, run as a non-root
# user. docker-compose.yml runs it as the scheduler and the SQL endpoint.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/hetl/hetl/cmd/hetl/command.version=${VERSION}" \
      -o /out/hetl ./cmd/hetl

# Debian slim rather than distroless: the compose health checks need curl and bash.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /var/lib/hetl --create-home hetl
COPY --from=build /out/hetl /usr/local/bin/hetl
USER hetl
WORKDIR /var/lib/hetl
ENTRYPOINT ["/usr/local/bin/hetl"]
CMD ["--help"]
