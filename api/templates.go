package api

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/message"
	"github.com/tingting-vn/tingting/zalo"
)

type templateResponse struct {
	TemplateID    string          `json:"template_id"`
	Name          string          `json:"name"`
	Status        string          `json:"status"`
	Tag           string          `json:"tag"`
	Quality       string          `json:"quality"`
	Params        []message.Param `json:"params"`
	PriceUID      int64           `json:"price_uid"`
	PriceSDT      int64           `json:"price_sdt"`
	SendableByUID bool            `json:"sendable_by_uid"`
	// Usable: an alert may go by it (enabled, TRANSACTION, not of LOW
	// quality).
	Usable bool      `json:"usable"`
	ReadAt time.Time `json:"read_at"`
}

func toTemplate(t db.ZaloTemplate) (templateResponse, error) {
	res := templateResponse{
		TemplateID: t.TemplateID, Name: t.Name, Status: t.Status, Tag: t.Tag, Quality: t.Quality,
		PriceUID: t.PriceUid, PriceSDT: t.PriceSdt, SendableByUID: t.SendableByUid, ReadAt: t.ReadAt,
		Usable: zalo.TemplateInfo{Status: t.Status, Tag: t.Tag, Quality: t.Quality}.FitForAlerts(),
	}
	return res, json.Unmarshal(t.Params, &res.Params)
}

// template reads one of the OA's templates. Zalo's template ids are
// numbers; anything else is no template (and never reaches the database).
func (s *Server) template(ctx context.Context, id string) (db.ZaloTemplate, error) {
	if id == "" || len(id) > 32 || strings.Trim(id, "0123456789") != "" {
		return db.ZaloTemplate{}, db.ErrNotFound
	}
	return s.queries.GetTemplate(ctx, id)
}

// listTemplates lists the OA's templates as Zalo last described them
// (maintenance reads them every few minutes, and when Zalo says one
// changed).
func (s *Server) listTemplates(c echo.Context) error {
	rows, err := s.queries.ListTemplates(c.Request().Context())
	if err != nil {
		return err
	}
	items := make([]templateResponse, len(rows))
	for i, r := range rows {
		if items[i], err = toTemplate(r); err != nil {
			return err
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"items": items})
}

// previewTemplate shows what a template would carry of the sample
// transaction with the given fields filling its parameters: the data
// Zalo gets, and the text the recipient reads (the template's name, then a
// line per parameter).
func (s *Server) previewTemplate(c echo.Context) error {
	var req struct {
		TemplateParams map[string]string `json:"template_params"`
	}
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	t, err := s.template(c.Request().Context(), c.Param("template_id"))
	if err != nil {
		return err
	}
	var params []message.Param
	if err := json.Unmarshal(t.Params, &params); err != nil {
		return err
	}
	mapping := map[string]message.Field{}
	for p, f := range req.TemplateParams {
		if _, err := message.ParseFields([]string{f}); err != nil {
			return invalid("template_params: %q is not a field", f)
		}
		mapping[p] = message.Field(f)
	}
	data := message.TemplateData(message.SampleTransaction(s.now()), message.AllFields, params, mapping)
	lines := []string{t.Name}
	for _, p := range params { // in the template's order, as Zalo shows them
		if v, ok := data[p.Name]; ok {
			lines = append(lines, p.Name+": "+v)
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"template_data": data, "text": strings.Join(lines, "\n")})
}
