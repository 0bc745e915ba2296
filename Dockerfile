# One image for every tingting piece: `docker run IMAGE api|worker|zalosim|migrate`.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tingting ./cmd/tingting

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/tingting /usr/local/bin/tingting
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/tingting"]
CMD ["help"]
