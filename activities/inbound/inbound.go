package inbound

import (
	"context"
	"time"

	"github.com/tingting-vn/tingting/activities/send"
	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/zalo"
)

// Activities' fields are its dependencies; workflows call its methods
// through a nil *Activities.
type Activities struct {
	Pool   *db.Pool
	Zalo   Zalo
	Sender *send.Core // answers go through it; so do calls to Zalo (the OA token)
	Now    func() time.Time
}

// Zalo is the part of the Zalo client the follower table needs.
type Zalo interface {
	ListFollowers(ctx context.Context, accessToken string, offset, count int) (zalo.FollowerPage, error)
	UserDetail(ctx context.Context, accessToken, userID string) (zalo.UserDetail, error)
}
