# The product's image: `docker run IMAGE api|worker|migrate|…`. The `dev`
# stage adds the harness (tingting-dev), which docker-compose uses for the
# Zalo sandbox; the product image never contains it.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/ ./cmd/tingting ./cmd/tingting-dev

FROM gcr.io/distroless/static-debian12:nonroot AS dev
COPY --from=build /out/tingting-dev /usr/local/bin/tingting-dev
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/tingting-dev"]
CMD ["help"]

FROM gcr.io/distroless/static-debian12:nonroot AS product
COPY --from=build /out/tingting /usr/local/bin/tingting
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/tingting"]
CMD ["help"]
