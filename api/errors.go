package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/ingest"
	"github.com/tingting-vn/tingting/workflows/contract"
)

// Error is an error the client may see: its status, a stable snake_case code
// and a human message. Every other error is answered as a bare 500.
type Error struct {
	Status   int
	Code     string
	Message  string
	ZaloCode int // Zalo's error code, when Zalo refused
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

func newError(status int, code, format string, args ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *Error {
	return newError(http.StatusBadRequest, "invalid_request", format, args...)
}

var (
	errUnauthorized = newError(http.StatusUnauthorized, "unauthorized", "sign in with Zalo, or send an API key (Authorization: Bearer tt_…); this one is missing, unknown or revoked")
	errNotFound     = newError(http.StatusNotFound, "not_found", "no such resource")
	errTooLarge     = newError(http.StatusRequestEntityTooLarge, "too_large", "request body is larger than 1 MiB")
)

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code     string `json:"code"`
	Message  string `json:"message"`
	ZaloCode int    `json:"zalo_code,omitempty"`
}

// errorHandler is the one place that turns a handler's error into the
// contract's error body. Only unexpected errors are logged, with the request
// they belong to; their text never reaches the client.
func errorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		e := toError(err)
		if e.Status >= 500 {
			log.ErrorContext(c.Request().Context(), "request failed",
				"method", c.Request().Method, "path", c.Path(), "status", e.Status, "error", err)
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(e.Status)
			return
		}
		_ = c.JSON(e.Status, errorBody{Error: errorDetail{Code: e.Code, Message: e.Message, ZaloCode: e.ZaloCode}})
	}
}

// toError maps every kind of error a handler may return to the contract's
// status and code, in one table: the API's own *Error, the database's
// kinds, the workflows' error types and Temporal's and Echo's errors.
func toError(err error) *Error {
	var (
		apiErr      *Error
		appErr      *temporal.ApplicationError
		notFound    *serviceerror.NotFound
		unavailable *serviceerror.Unavailable
		deadline    *serviceerror.DeadlineExceeded
		httpErr     *echo.HTTPError
		fieldErr    *ingest.FieldError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &fieldErr):
		return invalid("%s", fieldErr)
	case errors.Is(err, db.ErrNotFound), errors.As(err, &notFound):
		return errNotFound
	case errors.Is(err, db.ErrConflict):
		return newError(http.StatusConflict, "conflict", "it exists already")
	case errors.Is(err, db.ErrUnavailable):
		return newError(http.StatusServiceUnavailable, "unavailable", "the database is not answering; retry shortly")
	case errors.As(err, &unavailable), errors.As(err, &deadline), errors.Is(err, context.DeadlineExceeded):
		return newError(http.StatusServiceUnavailable, "unavailable", "the workflow service is not answering; retry shortly")
	case errors.As(err, &appErr):
		return fromWorkflow(err)
	case errors.As(err, &httpErr):
		return fromEcho(httpErr)
	}
	return errInternal
}

var errInternal = newError(http.StatusInternalServerError, "internal", "something went wrong on our side; it has been logged")

// workflowErrors maps the failures of the workflow contract that a caller
// acts on to the API's statuses.
var workflowErrors = map[contract.Failure]struct {
	status int
	code   string
}{
	contract.FailInvalid:        {http.StatusBadRequest, "invalid_request"},
	contract.FailStepOutOfOrder: {http.StatusUnprocessableEntity, "step_out_of_order"},
	contract.FailWizardClosed:   {http.StatusUnprocessableEntity, "wizard_closed"},
	contract.FailNotFollowing:   {http.StatusUnprocessableEntity, "not_following"},
	contract.FailLoginFailed:    {http.StatusUnprocessableEntity, "login_failed"},
	contract.FailNotFound:       {http.StatusNotFound, "not_found"},
	contract.FailZaloRefused:    {http.StatusBadGateway, "zalo_refused"},
}

// fromWorkflow maps a workflow's or activity's failure; its message is
// written for the owner. Failures outside the table are internal.
func fromWorkflow(err error) *Error {
	f, msg := contract.FailureOf(err)
	m, ok := workflowErrors[f]
	if !ok {
		return errInternal
	}
	return &Error{Status: m.status, Code: m.code, Message: msg, ZaloCode: contract.ZaloCodeOf(err)}
}

// fromEcho maps the errors Echo itself raises (routing, body limit).
func fromEcho(e *echo.HTTPError) *Error {
	switch e.Code {
	case http.StatusNotFound:
		return newError(http.StatusNotFound, "not_found", "no such route")
	case http.StatusMethodNotAllowed:
		return newError(http.StatusMethodNotAllowed, "method_not_allowed", "method not allowed on this route")
	case http.StatusRequestEntityTooLarge:
		return errTooLarge
	case http.StatusUnauthorized:
		return errUnauthorized
	}
	if e.Code >= 400 && e.Code < 500 {
		return newError(e.Code, "invalid_request", "%s", http.StatusText(e.Code))
	}
	return errInternal
}

// decodeJSON reads the request body into dst and explains, in terms of the
// wire format, what was wrong with it.
func decodeJSON(c echo.Context, dst any) error {
	dec := json.NewDecoder(c.Request().Body)
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if dec.More() {
		return invalid("body must hold a single JSON object")
	}
	return nil
}

func jsonError(err error) error {
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &maxErr):
		return errTooLarge
	case errors.Is(err, io.EOF):
		return invalid("request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid("malformed JSON: unexpected end of body")
	case errors.As(err, &syntaxErr):
		return invalid("malformed JSON at byte %d", syntaxErr.Offset)
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return invalid("body must be a JSON object")
		}
		return invalid("%s: expected %s, got JSON %s", typeErr.Field, wireType(typeErr.Type.Kind().String()), typeErr.Value)
	}
	return invalid("malformed JSON")
}

func wireType(kind string) string {
	switch kind {
	case "int", "int32", "int64", "uint", "uint32", "uint64":
		return "an integer"
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "an array"
	}
	return "an object"
}
