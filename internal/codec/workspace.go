package codec

import (
	"context"

	"github.com/google/uuid"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/workflow"
)

// A payload learns its workspace from the context it is encoded in. The
// API and the outbox dispatcher put the workspace in the context of every
// call to Temporal (WithWorkspace); Propagator carries it in the header of
// what they start, and from a workflow to its activities and children; the
// data converter (ContextAware) seals every payload with the workspace of
// the context the SDK encodes it in.

type workspaceContextKey struct{}

// workspaceHeader carries the workspace from a caller to its workflow and
// from a workflow to what it starts. Its value, a workspace id, is no
// secret: it is a search attribute too.
const workspaceHeader = "tingting-workspace"

// WithWorkspace makes what ctx sends to Temporal belong to workspace.
func WithWorkspace(ctx context.Context, workspace uuid.UUID) context.Context {
	return context.WithValue(ctx, workspaceContextKey{}, workspace)
}

// WithoutWorkspace makes what a workflow starts from ctx belong to no
// workspace: a child that gathers several workspaces' data (a recipient's
// morning message) must be readable by none of them.
func WithoutWorkspace(ctx workflow.Context) workflow.Context {
	return workflow.WithValue(ctx, workspaceContextKey{}, uuid.Nil)
}

// workspaceOf is the workspace ctx (a context.Context or a
// workflow.Context) carries; uuid.Nil for none.
func workspaceOf(ctx interface{ Value(any) any }) uuid.UUID {
	ws, _ := ctx.Value(workspaceContextKey{}).(uuid.UUID)
	return ws
}

// Propagator carries the workspace in Temporal's headers.
func Propagator() workflow.ContextPropagator { return propagator{} }

type propagator struct{}

func (propagator) Inject(ctx context.Context, w workflow.HeaderWriter) error {
	return inject(workspaceOf(ctx), w)
}

func (propagator) InjectFromWorkflow(ctx workflow.Context, w workflow.HeaderWriter) error {
	return inject(workspaceOf(ctx), w)
}

func (propagator) Extract(ctx context.Context, r workflow.HeaderReader) (context.Context, error) {
	if ws, ok := extract(r); ok {
		return WithWorkspace(ctx, ws), nil
	}
	return ctx, nil
}

func (propagator) ExtractToWorkflow(ctx workflow.Context, r workflow.HeaderReader) (workflow.Context, error) {
	if ws, ok := extract(r); ok {
		return workflow.WithValue(ctx, workspaceContextKey{}, ws), nil
	}
	return ctx, nil
}

func inject(ws uuid.UUID, w workflow.HeaderWriter) error {
	if ws == uuid.Nil {
		return nil
	}
	p, err := converter.GetDefaultDataConverter().ToPayload(ws.String())
	if err != nil {
		return err
	}
	w.Set(workspaceHeader, p)
	return nil
}

func extract(r workflow.HeaderReader) (uuid.UUID, bool) {
	p, ok := r.Get(workspaceHeader)
	if !ok {
		return uuid.Nil, false
	}
	var s string
	if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
		return uuid.Nil, false
	}
	ws, err := uuid.Parse(s)
	return ws, err == nil
}

// DataConverter is the SDK's default converter with every payload sealed,
// each with the workspace of the context it is encoded in.
func (c *Codec) DataConverter() converter.DataConverter {
	return &dataConverter{DataConverter: converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), c), codec: c}
}

// dataConverter seals for no workspace until the SDK gives it the context
// of what it encodes.
type dataConverter struct {
	converter.DataConverter
	codec *Codec
}

func (d *dataConverter) WithWorkflowContext(ctx workflow.Context) converter.DataConverter {
	return d.forWorkspace(workspaceOf(ctx))
}

func (d *dataConverter) WithContext(ctx context.Context) converter.DataConverter {
	return d.forWorkspace(workspaceOf(ctx))
}

// WithSerializationContext keeps the converter context aware: the SDK
// applies the serialization context (which says nothing of workspaces)
// before the workflow's context.
func (d *dataConverter) WithSerializationContext(converter.SerializationContext) converter.DataConverter {
	return d
}

func (d *dataConverter) forWorkspace(ws uuid.UUID) converter.DataConverter {
	if ws == uuid.Nil {
		return d.DataConverter
	}
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), workspaceCodec{d.codec, ws})
}

// workspaceCodec seals for one workspace, and opens as the codec does.
type workspaceCodec struct {
	*Codec
	workspace uuid.UUID
}

func (w workspaceCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	return w.EncodeFor(w.workspace, payloads)
}

var (
	_ converter.ContextAware                          = (*dataConverter)(nil)
	_ converter.DataConverterWithSerializationContext = (*dataConverter)(nil)
)
