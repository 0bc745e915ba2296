package message

// The OA's answers to "/invite: CODE", word for word as Casso's.
const (
	InviteBadSyntax    = "Cú pháp không hợp lệ. Cú pháp đúng: /invite: <mã giới thiệu>"
	InviteAlreadyAdded = "Tài khoản Zalo đã được thêm trước đó hoặc người gửi là chủ tích hợp."
	InviteBadCode      = "Mã giới thiệu không hợp lệ."
	InviteAdded        = "Thêm tài khoản Zalo vào tích hợp thành công."
	// InviteAddedFollowFirst answers a sender who has not followed the OA:
	// added, but nothing arrives until they follow.
	InviteAddedFollowFirst = InviteAdded + " Hãy Quan tâm OA để bắt đầu nhận thông báo biến động số dư."
	// InviteTooManyTries is said once when a sender's invalid codes reach
	// the limit; after it the OA stays silent for the rest of the hour.
	InviteTooManyTries = "Bạn đã nhập sai mã giới thiệu quá nhiều lần. Vui lòng thử lại sau 1 giờ."
)

// OwnerWelcome tells a Zalo user who just became the owner of an
// integration which business now sends them alerts, and how to stop them
// if it was not their doing.
func OwnerWelcome(business string) string {
	return "Từ nay Zalo OA này sẽ gửi bạn thông báo biến động số dư của " + Clean(business) +
		". Nếu không phải bạn đăng ký, hãy bỏ Quan tâm OA để ngừng nhận."
}

// OwnerWelcomeCard is OwnerWelcome as a transaction message's header and
// rows, for an owner chat does not reach.
func OwnerWelcomeCard(business string) Card {
	return Card{Header: "Đăng ký nhận thông báo biến động số dư", Rows: []Row{
		{"Doanh nghiệp", Clean(business)},
		{"Nếu không phải bạn đăng ký", "hãy bỏ Quan tâm OA để ngừng nhận"},
	}}
}

// InviteOwnerNotice tells an integration's owner who joined.
func InviteOwnerNotice(name string) string {
	return "Tài khoản Zalo " + Clean(name) + " đã được thêm vào tích hợp nhận thông báo biến động số dư."
}
