package api

import "net/http"

// role is what a caller is in a workspace: a person's role on its team (or
// member: someone who receives its alerts), or an API key's scope.
type role string

const (
	roleOwner   role = "owner"   // everything
	roleManager role = "manager" // bank accounts, feeds, integrations, recipients, templates; not keys or the team
	roleViewer  role = "viewer"  // reads
	roleMember  role = "member"  // an alert recipient: their own alerts only
	roleAdmin   role = "admin"   // an admin key: everything, as ever
	roleIngest  role = "ingest"  // an ingest key: POST /v1/transactions only
)

// rule is who may call a route, and whether a call that succeeds is a
// change recorded in the audit log (audit.go).
type rule struct {
	roles []role
	audit bool
}

// The groups of callers the rules are made of.
var (
	readers   = []role{roleAdmin, roleOwner, roleManager, roleViewer}
	managers  = []role{roleAdmin, roleOwner, roleManager}
	owners    = []role{roleAdmin, roleOwner}
	senders   = []role{roleAdmin, roleIngest, roleOwner, roleManager}
	teammates = []role{roleOwner, roleManager, roleViewer}
	people    = []role{roleOwner, roleManager, roleViewer, roleMember}
	anyone    = []role(nil) // no credential: the route proves itself (a signature, a login's state)
)

// access is the one table of who may do what, by the route Echo matched:
// authenticate refuses a caller a route's rule does not name with 403
// forbidden, and a route missing here with the same (a test keeps it and
// routes.go equal). Workspace data is never another workspace's: every
// query is scoped by the caller's workspace.
var access = map[string]rule{
	"GET /v1/auth/zalo":           {roles: anyone},
	"GET /v1/auth/zalo/callback":  {roles: anyone},
	"POST /v1/webhooks/zalo":      {roles: anyone},
	"GET /v1/oauth/zalo/callback": {roles: anyone},
	"POST /v1/hooks/casso/:id":    {roles: anyone},
	"POST /v1/hooks/sepay/:id":    {roles: anyone},

	// A person's own: who they are, where, their browsers, their alerts.
	// An alert recipient reaches nothing else.
	"GET /v1/me":              {roles: people},
	"PUT /v1/me/workspace":    {roles: people},
	"POST /v1/auth/logout":    {roles: people},
	"GET /v1/my/alerts":       {roles: people},
	"GET /v1/sessions":        {roles: teammates},
	"DELETE /v1/sessions/:id": {roles: teammates},
	"POST /v1/team/join":      {roles: teammates},

	"GET /v1/checklist":                   {roles: readers},
	"POST /v1/bank-accounts":              {roles: managers, audit: true},
	"GET /v1/bank-accounts":               {roles: readers},
	"POST /v1/webhook-sources":            {roles: managers, audit: true},
	"GET /v1/webhook-sources":             {roles: readers},
	"DELETE /v1/webhook-sources/:id":      {roles: managers, audit: true},
	"POST /v1/webhook-sources/:id/rotate": {roles: managers, audit: true},
	"PATCH /v1/webhook-sources/:id":       {roles: managers, audit: true},
	"POST /v1/webhook-sources/:id/sync":   {roles: managers, audit: true},
	"POST /v1/transactions":               {roles: senders}, // intake, recorded in transactions
	"GET /v1/transactions/:id":            {roles: readers},

	// A wizard's steps change nothing until it saves.
	"POST /v1/wizards":                  {roles: managers},
	"GET /v1/wizards/:id":               {roles: readers},
	"PUT /v1/wizards/:id/bank-accounts": {roles: managers},
	"POST /v1/wizards/:id/zalo-login":   {roles: managers},
	"PUT /v1/wizards/:id/zalo-account":  {roles: managers},
	"PUT /v1/wizards/:id/fields":        {roles: managers},
	"POST /v1/wizards/:id/test-call":    {roles: managers},
	"POST /v1/wizards/:id/save":         {roles: managers, audit: true},
	"DELETE /v1/wizards/:id":            {roles: managers},
	"GET /v1/zalo-accounts":             {roles: readers},

	"GET /v1/integrations":                                    {roles: readers},
	"GET /v1/integrations/:id":                                {roles: readers},
	"PATCH /v1/integrations/:id":                              {roles: managers, audit: true},
	"GET /v1/integrations/:id/changes":                        {roles: readers},
	"GET /v1/integrations/:id/deliveries":                     {roles: readers},
	"POST /v1/integrations/:id/deliveries/:delivery_id/retry": {roles: managers, audit: true},
	"DELETE /v1/integrations/:id/members/:member_id":          {roles: managers, audit: true},
	"PATCH /v1/integrations/:id/members/:member_id":           {roles: managers, audit: true},
	"POST /v1/integrations/:id/referral-code":                 {roles: managers, audit: true},

	// The OA's: its templates (managers pick one, with a preview), its
	// health and the routes stopped for it; an admin's consent connects it.
	"GET /v1/zalo-templates":                       {roles: readers},
	"POST /v1/zalo-templates/:template_id/preview": {roles: managers},
	"GET /v1/zalo-oa":                              {roles: readers},
	"GET /v1/oauth/zalo-oa/callback":               {roles: anyone},

	"POST /v1/api-keys":        {roles: owners, audit: true},
	"GET /v1/api-keys":         {roles: owners},
	"DELETE /v1/api-keys/:id":  {roles: owners, audit: true},
	"POST /v1/team/invites":    {roles: owners, audit: true},
	"GET /v1/team":             {roles: owners},
	"DELETE /v1/team/:user_id": {roles: owners, audit: true},
}

func (r rule) allows(who role) bool {
	for _, ok := range r.roles {
		if ok == who {
			return true
		}
	}
	return false
}

// refusal says, in terms of the caller, why a route is not theirs.
func refusal(who role) *Error {
	msg := map[role]string{
		roleIngest:  "this API key may only post transactions (POST /v1/transactions); use an admin key",
		roleAdmin:   "this route is for a person signed in with Zalo, not an API key",
		roleViewer:  "a viewer may look but not change anything in this workspace",
		roleMember:  "an alert recipient sees only their own alerts (GET /v1/my/alerts)",
		roleManager: "only the workspace's owner may do this (API keys, the team)",
	}[who]
	if msg == "" {
		msg = "you may not do this in this workspace"
	}
	return newError(http.StatusForbidden, "forbidden", "%s", msg)
}
