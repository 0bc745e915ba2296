package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/tingting-vn/tingting/db"
	"github.com/tingting-vn/tingting/internal/seed"
)

type inbox struct {
	Items []struct {
		MessageID string `json:"message_id"`
		Text      string `json:"text"`
	} `json:"items"`
}

// TestTransactionReachesTheSandboxInboxOnce is the product's promise end to
// end: a posted transaction becomes exactly one Zalo message for the
// integration's owner, and posting it again changes nothing.
func TestTransactionReachesTheSandboxInboxOnce(t *testing.T) {
	s := startStack(t)
	ctx := context.Background()

	var out bytes.Buffer
	require.NoError(t, s.run(ctx, &out, "workspace", "create", "--name", "Tiệm cà phê"))
	key := lastLine(out.String())
	require.Regexp(t, `^tt_[0-9A-Za-z]{32,}$`, key)

	var owner struct {
		OAUserID  string `json:"oa_user_id"`
		AppUserID string `json:"app_user_id"`
		Name      string `json:"name"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", s.sandboxURL+"/_sandbox/users", "",
		map[string]any{"name": "Chị Lan", "follows": true}, &owner))

	var acct struct {
		ID string `json:"id"`
	}
	require.Equal(t, http.StatusCreated, call(t, "POST", s.apiURL+"/v1/bank-accounts", key,
		map[string]string{"bank_code": "VCB", "bank_name": "Vietcombank", "account_number": "0123456789", "account_name": "TIEM CA PHE"}, &acct))

	pool, err := db.Open(ctx, s.env["DATABASE_URL"])
	require.NoError(t, err)
	defer pool.Close()
	ws, err := db.New(pool).FindWorkspaceByName(ctx, "Tiệm cà phê")
	require.NoError(t, err)
	_, err = seed.CreateIntegration(ctx, pool, seed.Integration{
		WorkspaceID: ws.ID, BankAccountIDs: []uuid.UUID{uuid.MustParse(acct.ID)},
		Owner: seed.Person{OAUserID: owner.OAUserID, AppUserID: owner.AppUserID, Name: owner.Name},
	})
	require.NoError(t, err)

	txn := map[string]any{
		"account_number": "0123456789", "external_id": "FT24277000001", "amount": 599000,
		"description": "NGUYEN VAN A chuyen tien", "occurred_at": "2024-10-03T15:06:37+07:00",
	}
	var first, second struct {
		TransactionID string `json:"transaction_id"`
		Duplicate     bool   `json:"duplicate"`
	}
	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, txn, &first))
	require.False(t, first.Duplicate)

	var got inbox
	require.Eventually(t, func() bool {
		call(t, "GET", s.sandboxURL+"/_sandbox/users/"+owner.OAUserID+"/inbox", "", nil, &got)
		return len(got.Items) > 0
	}, 30*time.Second, 100*time.Millisecond, "no message reached the owner's sandbox inbox")
	require.Contains(t, got.Items[0].Text, "+599.000 VND")
	require.Contains(t, got.Items[0].Text, "NGUYEN VAN A chuyen tien")

	require.Equal(t, http.StatusAccepted, call(t, "POST", s.apiURL+"/v1/transactions", key, txn, &second))
	require.True(t, second.Duplicate)
	require.Equal(t, first.TransactionID, second.TransactionID)

	// The delivery log agrees with the inbox, and after the workflow has
	// finished there is still exactly one message.
	var detail struct {
		Deliveries []struct {
			Status        string `json:"status"`
			ZaloMessageID string `json:"zalo_message_id"`
			Recipient     string `json:"recipient"`
		} `json:"deliveries"`
	}
	require.Eventually(t, func() bool {
		call(t, "GET", s.apiURL+"/v1/transactions/"+first.TransactionID, key, nil, &detail)
		return len(detail.Deliveries) == 1 && detail.Deliveries[0].Status == "sent"
	}, 10*time.Second, 100*time.Millisecond)
	require.Equal(t, got.Items[0].MessageID, detail.Deliveries[0].ZaloMessageID)
	require.Equal(t, owner.OAUserID, detail.Deliveries[0].Recipient)

	var all inbox
	call(t, "GET", s.sandboxURL+"/_sandbox/messages", "", nil, &all)
	require.Len(t, all.Items, 1)

	// An operator finds the notification in the Temporal UI by account.
	query := fmt.Sprintf("BankAccount = '0123456789' AND WorkspaceId = '%s' AND AmountVnd = 599000", ws.ID)
	require.Eventually(t, func() bool {
		res, err := temporalServer.Client().ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query})
		return err == nil && len(res.Executions) == 1
	}, 10*time.Second, 200*time.Millisecond, "no workflow found by %s", query)
}
