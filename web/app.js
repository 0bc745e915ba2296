// tingting's web UI: the home checklist, the setup wizard, the integration
// pages (recipients, the ZBS template, the month's cost, the delivery log),
// the bank feeds, the team, the signed-in browsers, a recipient's own alerts and the API
// keys page, in plain JavaScript. Screens are chosen by the URL's hash
// (#/, #/wizard/ID, #/integrations/ID, #/sources, #/team, #/join/CODE,
// #/sessions, #/alerts, #/keys) and built with the DOM API: text from the API is never
// parsed as HTML. Every call goes to the JSON API under /v1, as the person
// signed in with Zalo (the API's HttpOnly session cookie, and the CSRF
// token GET /v1/me gives, on every change), or with an API key an operator
// pasted, which lives in sessionStorage (this tab only).
'use strict';

const KEY = 'tingting.apiKey';
const app = document.getElementById('app');
const account = document.getElementById('account');
const tagline = document.querySelector('.tagline');

// me is the signed-in person (GET /v1/me), or null: signed out, or using
// an API key.
let me = null;

// ---------------------------------------------------------------- helpers

// h builds an element: h('p', {class: 'x', onclick: fn}, 'text', child, …).
// Attributes whose value is false or null are left out.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'checked' || name === 'disabled' || name === 'value') el[name] = value;
    else el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// formatVND shows đồng the way the messages do: +599.000 VND.
function formatVND(amount, signed = true) {
  const digits = String(Math.abs(amount)).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  const sign = amount < 0 ? '-' : amount > 0 && signed ? '+' : '';
  return sign + digits + ' VND';
}

const two = (n) => String(n).padStart(2, '0');

// inVietnam is a Date whose UTC fields are the time in Vietnam (UTC+7, no
// daylight saving).
const inVietnam = (iso) => new Date(Date.parse(iso) + 7 * 3600 * 1000);

// formatTime shows a time in Vietnam: 14:03:05 03/10/2024, as the messages do.
function formatTime(iso) {
  if (!iso) return '';
  const d = inVietnam(iso);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ` +
    `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

// formatHour shows a time in Vietnam as hour and day: 06:00 26/11.
function formatHour(iso) {
  const d = inVietnam(iso);
  return `${two(d.getUTCHours())}:${two(d.getUTCMinutes())} ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}`;
}

// dayTime tidies a time of day as people type it (9:00, 21h, 21h30, 21)
// into the API's HH:MM; anything else is left for the API to refuse.
function dayTime(text) {
  const m = text.trim().match(/^(\d{1,2})(?:\s*[:hH.]\s*(\d{2})?)?$/);
  return m ? `${two(m[1])}:${m[2] || '00'}` : text.trim();
}

// alertsText says what the owner is told besides transactions.
function alertsText(i) {
  return (i.silence_alert_hours ? `Sẽ báo khi tài khoản không có giao dịch trong ${i.silence_alert_hours} giờ.`
    : 'Không báo khi tài khoản lâu không có giao dịch.') + ' ' +
    (i.daily_summary_at ? `Sẽ gửi tổng kết lúc ${i.daily_summary_at} mỗi ngày.` : 'Không gửi tổng kết mỗi ngày.');
}

// ago says how long ago a time was: 2 giờ trước; chưa rõ when unknown.
function ago(iso) {
  if (!iso) return 'chưa rõ';
  const minutes = Math.floor((Date.now() - Date.parse(iso)) / 60000);
  if (minutes < 1) return 'vừa xong';
  if (minutes < 60) return minutes + ' phút trước';
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return hours + ' giờ trước';
  const days = Math.floor(hours / 24);
  if (days < 60) return days + ' ngày trước';
  if (days < 365) return Math.floor(days / 30) + ' tháng trước';
  return Math.floor(days / 365) + ' năm trước';
}

const FIELDS = [
  ['amount', 'Số tiền'],
  ['time', 'Thời gian'],
  ['account', 'Tài khoản'],
  ['sub_account', 'Tài khoản ảo'],
  ['description', 'Nội dung'],
  ['payment_code', 'Mã thanh toán'],
  ['balance', 'Số dư'],
  ['reference', 'Mã tham chiếu'],
  ['counter_account', 'Tài khoản đối ứng'],
];
const DEFAULT_FIELDS = ['time', 'description'];
const fieldText = (f) => (FIELDS.find(([n]) => n === f) || [f, f])[1];

const DIRECTIONS = [
  ['in', 'Tiền vào'],
  ['out', 'Tiền ra'],
  ['both', 'Cả tiền vào và tiền ra'],
];
const directionText = (d) => (DIRECTIONS.find(([v]) => v === d) || [d, d])[1];

function bankText(b) {
  return [b.bank_name || b.bank_code, b.account_number, b.account_name].filter(Boolean).join(' · ');
}

// A ZBS template's status, tag and quality, as Zalo's console says them.
const TEMPLATE_STATUSES = { ENABLE: 'Đã duyệt', PENDING_REVIEW: 'Chờ duyệt', REJECT: 'Bị từ chối', DISABLE: 'Đã tắt' };
const TEMPLATE_TAGS = { TRANSACTION: 'Giao dịch', CUSTOMER_CARE: 'Chăm sóc khách hàng', PROMOTION: 'Khuyến mãi' };
const TEMPLATE_QUALITIES = { HIGH: 'Cao', MEDIUM: 'Trung bình', LOW: 'Thấp', UNDEFINED: 'Chưa xác định' };

// unusableText says why alerts cannot go by a template.
function unusableText(t) {
  return [t.status !== 'ENABLE' ? (TEMPLATE_STATUSES[t.status] || t.status).toLowerCase() : '',
    t.tag !== 'TRANSACTION' ? 'không phải mẫu Giao dịch' : '',
    t.quality === 'LOW' ? 'chất lượng thấp' : ''].filter(Boolean).join(', ');
}

const priceText = (vnd) => formatVND(vnd, false) + '/tin';

// templateTable lists the OA's ZBS templates: what each is, what one
// message costs by user id (UID) and by phone (SĐT), and whether alerts may
// go by it.
function templateTable(templates) {
  if (templates.length === 0) {
    return h('p', { class: 'muted', id: 'templates' }, 'Zalo OA chưa có mẫu tin ZBS nào. Hãy tạo mẫu loại Giao dịch ' +
      'trong trang quản lý Zalo OA; mẫu hiện ở đây sau khi Zalo duyệt.');
  }
  return h('table', { id: 'templates' },
    h('thead', {}, h('tr', {}, ['Mẫu tin', 'Trạng thái', 'Loại', 'Chất lượng', 'Giá gửi qua UID', 'Giá gửi qua SĐT', 'Dùng cho thông báo']
      .map((x) => h('th', {}, x)))),
    h('tbody', {}, templates.map((t) => h('tr', {},
      h('td', {}, t.name, h('div', { class: 'muted small' }, 'Mã ' + t.template_id)),
      h('td', {}, TEMPLATE_STATUSES[t.status] || t.status),
      h('td', {}, TEMPLATE_TAGS[t.tag] || t.tag),
      h('td', {}, TEMPLATE_QUALITIES[t.quality] || t.quality),
      h('td', { class: 'num' }, t.sendable_by_uid ? priceText(t.price_uid) : 'không gửi được'),
      h('td', { class: 'num' }, priceText(t.price_sdt)),
      h('td', {}, t.usable ? h('span', { class: 'badge on' }, t.sendable_by_uid ? 'Dùng được' : 'Dùng được, chỉ qua SĐT')
        : [h('span', { class: 'badge off' }, 'Không dùng được'), h('div', { class: 'muted small' }, unusableText(t))])))));
}

// ---------------------------------------------------------------- the API

class APIError extends Error {
  constructor(status, code, message, zaloCode) {
    super(message);
    this.status = status;
    this.code = code;
    this.zaloCode = zaloCode;
  }
}

// api calls the JSON API and answers its body; an error answer (the
// contract's {"error":{code, message}}) or no answer at all throws APIError.
async function api(method, path, body) {
  const init = { method, headers: {} };
  const key = sessionStorage.getItem(KEY);
  if (key) init.headers.Authorization = 'Bearer ' + key;
  else if (me && method !== 'GET') init.headers['X-CSRF-Token'] = me.csrf_token;
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('/v1' + path, init);
  } catch {
    throw new APIError(0, 'network', '');
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const e = (data && data.error) || {};
    throw new APIError(res.status, e.code || 'http_' + res.status, e.message || res.statusText, e.zalo_code);
  }
  return data;
}

// What the API's error codes mean, in the words of the person using the UI.
const ERRORS = {
  network: 'Không kết nối được tới máy chủ tingting. Kiểm tra mạng rồi thử lại.',
  csrf: 'Phiên đăng nhập trên thẻ này không còn khớp. Hãy tải lại trang rồi thử lại.',
  not_found: 'Không tìm thấy mục này: có thể nó đã bị xóa hoặc thuộc workspace khác.',
  not_following: 'Tài khoản Zalo này chưa Quan tâm Zalo OA nên chưa nhận được tin nhắn. ' +
    'Mở Zalo, tìm Zalo OA và nhấn "Quan tâm", rồi bấm "Gọi thử" lại.',
  step_out_of_order: 'Hãy làm lần lượt từng bước: chọn tài khoản ngân hàng, tài khoản Zalo, ' +
    'dữ liệu gửi kèm, gọi thử thành công rồi mới lưu.',
  wizard_closed: 'Phiên thiết lập này đã kết thúc. Hãy tạo tích hợp mới.',
  login_failed: 'Đăng nhập bằng Zalo không thành công. Hãy đăng nhập lại.',
  unknown_bank_account: 'Có tài khoản ngân hàng không thuộc workspace này. Tải lại trang rồi chọn lại.',
  template_unusable: 'Mẫu tin này không dùng được cho thông báo: Zalo chỉ cho gửi bằng mẫu đã được duyệt và đang bật, ' +
    'thuộc loại Giao dịch, không bị đánh giá chất lượng thấp. Hãy chọn mẫu khác.',
  conflict: 'Mục này đã tồn tại.',
  no_api_key: 'Nguồn này chưa có API key của Casso nên chưa đọc lại được: hãy nhập API key trước.',
  too_large: 'Dữ liệu gửi lên quá lớn.',
  unavailable: 'Hệ thống đang tạm thời không phản hồi. Vui lòng thử lại sau ít phút.',
  internal: 'Có lỗi ở phía máy chủ, lỗi đã được ghi lại. Vui lòng thử lại.',
};

// What a test call refused for want of a recent message needs.
const WRITE_TO_OA = 'tài khoản này đã quá 7 ngày chưa nhắn cho Zalo OA nên tin nhắn tư vấn không tới được. ' +
  'Hãy nhắn một tin bất kỳ cho Zalo OA rồi bấm "Gọi thử" lại';

// What Zalo's own error codes mean, for a refused test call.
const ZALO_ERRORS = {
  '-32': 'gửi quá nhanh, hãy thử lại sau ít phút',
  '-211': 'Zalo OA đã hết hạn mức gửi tin',
  '-213': 'người nhận chưa Quan tâm Zalo OA',
  '-216': 'quyền gửi tin của Zalo OA đã hết hạn',
  '-217': 'người nhận đã chặn Zalo OA',
  '-218': 'người nhận đã nhận đủ số tin Zalo cho phép hôm nay',
  '-220': 'quyền gửi tin của Zalo OA đã hết hạn',
  '-230': WRITE_TO_OA,
  '-232': WRITE_TO_OA,
  '-234': 'Zalo không nhận loại tin này từ 22:00 đến 06:00. Hãy nhắn một tin bất kỳ cho Zalo OA ' +
    '(để mở khung chat tư vấn) rồi bấm "Gọi thử" lại',
};

function zaloRefusal(code) {
  const why = ZALO_ERRORS[String(code)];
  return 'Zalo từ chối tin nhắn' + (why ? ': ' + why : '') + (code ? ` (mã lỗi ${code}).` : '.');
}

const PHONE_RULE = 'Số điện thoại chưa đúng: hãy nhập số di động, ví dụ 0912345678 hoặc 84912345678. Để trống là xóa số.';
const QUIET_RULE = 'Giờ yên lặng phải có dạng giờ:phút-giờ:phút (giờ Việt Nam), ví dụ 22:00-06:00. Để trống là tắt.';

// What a refused value should have been, by the field the API's 400
// message starts with ("daily_summary_at: …").
const INVALID = {
  silence_alert_hours: 'Số giờ không có giao dịch phải là số nguyên từ 0 đến 720 (30 ngày). Để trống hoặc 0 là tắt.',
  daily_summary_at: 'Giờ gửi tổng kết phải có dạng giờ:phút, từ 00:00 đến 23:59 (giờ Việt Nam), ví dụ 21:00. Để trống là tắt.',
  hidden_fields: 'Chỉ ẩn được thời gian, tài khoản, tài khoản ảo, nội dung, mã thanh toán, số dư, mã tham chiếu và tài khoản đối ứng; số tiền luôn được gửi.',
  phone: PHONE_RULE,
  owner_phone: PHONE_RULE,
  quiet_hours: QUIET_RULE,
  owner_quiet_hours: QUIET_RULE,
  template_params: 'Hãy chọn dữ liệu cho mọi tham số bắt buộc của mẫu (có dấu *); mỗi tham số nhận một loại dữ liệu của giao dịch.',
  secret: 'Khóa bí mật dài 8 đến 256 ký tự, đúng như Casso hoặc SePay hiển thị.',
  casso_api_key: 'API key của Casso dài 8 đến 256 ký tự, không có dấu cách, đúng như Casso hiển thị.',
};

// What a refusal (401, 403) means depends on how this tab is signed in.
function refusalText(e) {
  if (e.code === 'unauthorized') {
    return me ? 'Phiên đăng nhập đã kết thúc (đã đăng xuất, quá lâu không dùng, hoặc bạn không còn trong nhóm). Hãy đăng nhập lại.'
      : 'Khóa API không đúng hoặc đã bị thu hồi. Hãy đăng nhập lại.';
  }
  if (!me) return 'Khóa API này chỉ dùng để gửi giao dịch, không mở được trang quản lý. Hãy đăng nhập bằng khóa quản trị.';
  if (me.role === 'viewer') return 'Bạn có quyền Người xem trong workspace này: chỉ xem được, không thay đổi được gì.';
  if (me.role === 'manager') return 'Chỉ chủ workspace mới làm được việc này (khóa API, nhóm).';
  return 'Bạn không có quyền làm việc này trong workspace này.';
}

function errorText(e) {
  if (!(e instanceof APIError)) return 'Có lỗi không mong muốn: ' + e.message;
  if (e.code === 'unauthorized' || e.code === 'forbidden') return refusalText(e);
  if (e.code === 'zalo_refused') return zaloRefusal(e.zaloCode);
  if (e.code === 'invalid_request') return INVALID[e.message.split(':')[0]] || 'Dữ liệu chưa hợp lệ (' + e.message + ').';
  return ERRORS[e.code] || e.message || `Lỗi ${e.status}.`;
}

// Why a delivery was skipped, waits or failed (the first word of its
// last_error), in plain words; and, while it waits for another try, why.
const REASONS = {
  not_following: 'người nhận chưa Quan tâm OA',
  owner_not_following: 'chủ tích hợp chưa Quan tâm OA',
  blocked: 'người nhận đã chặn OA',
  no_interaction: 'người nhận đã quá 7 ngày chưa nhắn cho OA',
  unreachable: 'không có cách nào gửi tới người này: họ đã quá 7 ngày chưa nhắn cho OA, ' +
    'và chưa có mẫu tin ZBS (hoặc số điện thoại) để gửi',
  member_removed: 'đã bị xóa khỏi danh sách nhận',
  muted: 'người nhận đang tạm dừng nhận thông báo (/tamdung)',
  integration_paused: 'tích hợp đang tạm dừng',
  integration_deleted: 'tích hợp đã bị xóa',
  integration_gone: 'tích hợp đã bị xóa',
  quota: 'Zalo đã hết hạn mức hôm nay; sẽ gửi sau 00:00',
  quiet_hours: 'giờ yên lặng của người nhận; gửi gộp khi hết giờ',
  zalo_permanent: 'Zalo từ chối tin nhắn',
  gave_up: 'đã thử lại suốt 24 giờ mà không gửi được',
  internal: 'lỗi ở máy chủ tingting (đã ghi lại)',
  zalo_retryable: 'Zalo đang trục trặc; sẽ tự thử lại',
  zalo_in_doubt: 'chưa rõ Zalo đã nhận tin chưa; tingting kiểm tra trước khi gửi lại để không gửi hai lần',
  zalo_rate_limited: 'gửi quá nhanh; sẽ thử lại sau ít phút',
  zalo_paced: 'đang chờ lượt gửi',
  zalo_route_paused: 'Zalo đã tạm ngừng cách gửi này của OA; tin chờ người vận hành xử lý',
  zalo_needs_person: 'Zalo đã tạm ngừng cách gửi này của OA; tin chờ người vận hành xử lý',
  zalo_token: 'quyền gửi tin của OA hết hạn; tingting đang xin quyền mới rồi gửi lại',
  oa_token_refused: 'Zalo từ chối quyền gửi tin của OA; tin chờ kết nối lại Zalo OA',
};
const STATUSES = {
  sent: 'Đã gửi', pending: 'Đang gửi', failed: 'Không gửi được', skipped: 'Bỏ qua', deferred: 'Chờ gửi',
};

// Which kind of Zalo message carried a delivery (its route): for the log's
// column, and for sentences ("đã gửi bằng mẫu tin ZBS"). transaction and
// zns are only on deliveries from before 2026.
const ROUTES = {
  cs: 'Tư vấn', template: 'Mẫu ZBS', template_phone: 'Mẫu ZBS qua SĐT', transaction: 'Tin giao dịch', zns: 'ZNS',
};
const ROUTE_NAMES = {
  cs: 'tin nhắn tư vấn', template: 'mẫu tin ZBS', template_phone: 'mẫu tin ZBS gửi đến số điện thoại',
  transaction: 'tin giao dịch', zns: 'tin ZNS',
};

// Why Zalo refused a route before the next one carried the message, or
// before none could (a delivery's note: "cs refused (-230); template
// refused (-249)").
const REFUSALS = {
  '-211': 'OA hết hạn mức gửi tin',
  '-213': 'người nhận chưa Quan tâm OA',
  '-217': 'người nhận đã chặn OA',
  '-218': 'người nhận đã nhận đủ số tin hôm nay',
  '-227': 'tài khoản người nhận bị khóa',
  '-230': 'quá 7 ngày chưa nhắn cho OA',
  '-232': 'quá 7 ngày chưa nhắn cho OA',
  '-144': 'OA hết hạn mức mẫu tin hôm nay',
  '-146': 'mẫu bị Zalo tắt vì chất lượng thấp',
  '-147': 'mẫu hết hạn mức hôm nay',
  '-249': 'mẫu không gửi được theo tài khoản Zalo',
};

function statusText(d) {
  if (d.status === 'deferred' && d.deferred_until) return 'Chờ đến ' + formatHour(d.deferred_until);
  return STATUSES[d.status] || d.status;
}

// refusedText is the routes Zalo refused in a note, in words: "tin nhắn
// tư vấn (quá 7 ngày chưa nhắn cho OA)"; '' when none.
function refusedText(text) {
  return [...text.matchAll(/\b(cs|template_phone|template|transaction|zns) refused \((-?\d+)\)/g)]
    .map(([, rt, code]) => `${ROUTE_NAMES[rt] || rt} (${REFUSALS[code] || 'mã lỗi ' + code})`).join(', ');
}

// noteText is a delivery's last_error in plain words: why it was skipped,
// waits or failed, or which routes Zalo refused before the one that
// carried it.
function noteText(d) {
  const text = d.last_error || '';
  const [, word, detail = ''] = text.match(/^([a-z_]+)(?::\s*([\s\S]*))?$/) || [];
  const reason = REASONS[word];
  if (reason) {
    const zalo = detail.match(/Zalo refused \((-?\d+)\):\s*(.*)/);
    if (zalo && (word === 'zalo_permanent' || word === 'gave_up')) return `${reason} (mã lỗi ${zalo[1]}${zalo[2] ? ': ' + zalo[2] : ''})`;
    // Zalo's refusals say why better than our guess of why no route was left.
    const refused = d.status === 'skipped' ? refusedText(detail) : '';
    if (!refused) return reason;
    return `${word === 'unreachable' ? 'không còn cách nào gửi tới người này' : reason} — Zalo đã từ chối ${refused}`;
  }
  const refused = refusedText(text);
  if (refused && (d.status === 'sent' || d.status === 'deferred')) {
    return `Zalo từ chối ${refused} — ${d.status === 'sent' ? 'đã' : 'sẽ'} gửi bằng ${ROUTE_NAMES[d.route] || d.route}`;
  }
  if (!text && d.status === 'deferred') return 'Zalo không nhận tin này ban đêm; sẽ gửi khi hết đêm';
  return text;
}

// deliveryNotes is what else the log says of a delivery: its note, and
// whether it came without its push sound or may have come twice.
function deliveryNotes(d) {
  return [noteText(d), d.silent ? 'đến lúc đêm, không chuông' : '', d.maybe_duplicate ? 'có thể đã gửi hai lần' : '']
    .filter(Boolean).join('; ');
}

// receiptText is what Zalo told of a sent message: delivered to the phone,
// seen (at what time, in Vietnam).
function receiptText(d) {
  const seen = d.seen_at ? inVietnam(d.seen_at) : null;
  return [d.received_at ? 'Đã nhận' : '', seen ? `Đã xem ${two(seen.getUTCHours())}:${two(seen.getUTCMinutes())}` : '']
    .filter(Boolean).join(' · ');
}

// How the OA reaches a person now (reachable_by); none is reachNone's.
const REACH = {
  cs: 'Nhận qua tin nhắn tư vấn',
  template: 'Nhận qua mẫu tin ZBS (tính phí theo mẫu)',
  template_phone: 'Nhận qua mẫu tin ZBS gửi đến số điện thoại (tính phí theo mẫu)',
};

// reachNone says why nothing reaches a person, and what would: writing to
// the OA, or the template this integration lacks (none, one Zalo no longer
// takes, or one that goes by phone only, to someone without one).
function reachNone(template) {
  const why = 'Không gửi được: người này đã quá 7 ngày chưa nhắn cho OA (hoặc chưa Quan tâm OA). Nhờ họ nhắn một tin bất kỳ cho OA';
  if (!template) return why + ', hoặc chọn mẫu tin ZBS ở mục "Mẫu tin ZBS" bên dưới.';
  if (!template.usable) return why + ', hoặc chọn mẫu tin ZBS khác: mẫu đang dùng không gửi được nữa.';
  return why + ', hoặc thêm số điện thoại của họ: mẫu tin đang dùng chỉ gửi được đến số điện thoại.';
}

// reachLine says how the OA reaches a recipient now, and when they last
// interacted with it; template is the integration's (undefined: none).
function reachLine(p, template) {
  return h('div', { class: p.reachable_by === 'none' ? 'reach none' : 'reach' },
    p.reachable_by === 'none' ? reachNone(template) : REACH[p.reachable_by] || p.reachable_by,
    ' · tương tác lần cuối: ', ago(p.last_interaction_at));
}

// ---------------------------------------------------------------- actions

// run disables button while action runs, and shows what went wrong in out.
// A refused API key ends the session.
async function run(button, out, action) {
  if (button) button.disabled = true;
  if (out) say(out, '', '');
  try {
    await action();
  } catch (e) {
    if (e instanceof APIError && e.status === 401) return showSignIn(errorText(e));
    if (out) say(out, errorText(e), 'error');
  } finally {
    if (button) button.disabled = false;
  }
}

function say(out, text, kind = 'ok') {
  out.textContent = text;
  out.className = 'msg ' + kind;
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'Đã sao chép';
  } catch {
    button.textContent = 'Hãy chọn và sao chép thủ công';
  }
  setTimeout(() => { button.textContent = 'Sao chép'; }, 3000);
}

// The commands a recipient can send the OA, as the OA's own /trogiup
// lists them (message.Help).
const COMMANDS = [
  ['/homnay', 'tổng kết giao dịch hôm nay'],
  ['/tamdung 2h', 'tạm dừng nhận thông báo (30m đến 24h)'],
  ['/tieptuc', 'nhận lại thông báo'],
  ['/dung', 'rời khỏi danh sách nhận (mọi tích hợp đang tham gia)'],
  ['/trogiup', 'xem các lệnh'],
];

// inviteBox is what an owner sends to the people who should get messages,
// and what those people can ask the OA once they are in.
function inviteBox(code) {
  const text = '/invite: ' + code;
  const button = h('button', { type: 'button', class: 'secondary', id: 'copy-invite' }, 'Sao chép');
  button.addEventListener('click', () => copy(text, button));
  return h('div', { class: 'invite' },
    h('p', {}, 'Mã giới thiệu: ', h('strong', { id: 'referral-code' }, code)),
    h('p', {}, 'Những tài khoản muốn nhận tin nhắn cần Quan tâm Zalo OA, rồi nhắn tới Zalo OA với cú pháp:'),
    h('div', { class: 'copyline' }, h('code', { id: 'invite-text' }, text), button),
    h('p', {}, 'Sau đó, người nhận có thể nhắn cho Zalo OA các lệnh:'),
    h('ul', { class: 'commands', id: 'commands' },
      COMMANDS.map(([command, what]) => h('li', {}, h('code', {}, command), ' — ' + what))),
  );
}

// ---------------------------------------------------------------- screens

let shown = 0; // bumped on every navigation, so a late answer draws nothing
let timer = 0; // the delivery log's refresh

// The roles of a workspace, in the words of its people.
const ROLES = { owner: 'Chủ', manager: 'Quản lý', viewer: 'Người xem', member: 'Người nhận thông báo' };
const roleText = (r) => ROLES[r] || r;

// owns says whether this tab may manage the workspace's keys and team: an
// owner, or an operator's (admin) key.
const owns = () => !me || me.role === 'owner';

async function route() {
  const mine = ++shown;
  clearInterval(timer);
  const live = () => mine === shown;
  const [page, id] = location.hash.replace(/^#\/?/, '').split('/');
  const key = sessionStorage.getItem(KEY);
  try {
    if (!key && !me) {
      try {
        me = await api('GET', '/me');
      } catch (e) {
        if (!(e instanceof APIError && e.status === 401)) throw e;
      }
      if (!live()) return;
    }
    drawAccount();
    if (page === 'join' && id) return await showJoin(id, live);
    if (!key && !me) return showSignIn();
    if (me && me.role === 'member') return await showMyAlerts(live);
    if (page === 'wizard' && id) await showWizard(id, live);
    else if (page === 'integrations' && id) await showIntegration(id, live);
    else if (page === 'keys') await showKeys(live);
    else if (page === 'team') await showTeam(live);
    else if (page === 'sessions') await showSessions(live);
    else if (page === 'alerts') await showMyAlerts(live);
    else if (page === 'sources') await showSources(live);
    else await showHome(live);
  } catch (e) {
    if (!live()) return;
    if (e instanceof APIError && (e.status === 401 || (e.status === 403 && !me))) return showSignIn(errorText(e));
    app.replaceChildren(h('section', { class: 'card' },
      h('p', { class: 'msg error' }, errorText(e)),
      h('p', {}, h('a', { href: '#/' }, 'Về trang chủ'))));
  }
}

// drawAccount fills the header: who is signed in, the workspace switcher,
// the pages their role opens, and "Đăng xuất".
function drawAccount() {
  const key = sessionStorage.getItem(KEY);
  account.hidden = !key && !me;
  tagline.hidden = !account.hidden; // the header's room goes to the account
  if (account.hidden) return account.replaceChildren();
  const out = h('button', { type: 'button', class: 'link', id: 'sign-out' }, 'Đăng xuất');
  out.addEventListener('click', signOut);
  if (!me) return account.replaceChildren(h('span', { class: 'muted' }, 'Đăng nhập bằng khóa API'), out);
  let places = null; // one workspace: nothing to switch to
  if (me.workspaces.length > 1) {
    places = h('select', { id: 'workspace-switch', 'aria-label': 'Workspace' },
      me.workspaces.map((w) => h('option', { value: w.id, selected: w.id === me.workspace_id }, `${w.name} (${roleText(w.role)})`)));
    places.addEventListener('change', async () => {
      places.disabled = true;
      try {
        me = await api('PUT', '/me/workspace', { workspace_id: places.value });
      } catch (e) {
        if (e instanceof APIError && e.status === 401) return showSignIn(errorText(e));
      }
      if (location.hash && location.hash !== '#/') location.hash = '#/';
      else route();
    });
  }
  const links = me.role === 'member' ? [] : [
    h('a', { href: '#/' }, 'Trang chủ'),
    me.role === 'owner' ? h('a', { href: '#/team', id: 'team-link' }, 'Nhóm') : null,
    h('a', { href: '#/alerts', id: 'alerts-link' }, 'Thông báo của tôi'),
    h('a', { href: '#/sessions', id: 'sessions-link' }, 'Thiết bị'),
  ];
  account.replaceChildren(...[places, h('span', { class: 'muted', id: 'who' }, `${me.user.name} · ${roleText(me.role)}`), ...links, out].filter(Boolean));
}

// signOut ends the session on the server (or forgets the key) and draws
// the sign-in page: by the navigation to #/ when there is one (drawing it
// here too would draw it again under the person typing into it), else here.
async function signOut() {
  if (me) {
    try {
      await api('POST', '/auth/logout');
    } catch {
      // Signed out already, or the server is away: the page forgets it anyway.
    }
  }
  me = null;
  sessionStorage.removeItem(KEY);
  if (location.hash && location.hash !== '#/') location.hash = '#/';
  else showSignIn();
}

// zaloSignIn is the link that signs in with Zalo and comes back here;
// invite is a team invite's code to accept.
function zaloSignIn(id, invite) {
  const back = location.pathname + location.hash;
  const href = '/v1/auth/zalo?return_to=' + encodeURIComponent(back) + (invite ? '&invite=' + encodeURIComponent(invite) : '');
  return h('a', { class: 'button zalo', id, href }, 'Đăng nhập bằng Zalo');
}

// showSignIn is the signed-out page: "Đăng nhập bằng Zalo", and an API key
// field behind "dùng khóa API" for operators. problem is why the last
// attempt failed.
function showSignIn(problem) {
  me = null;
  const keyed = !!sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  drawAccount();
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', placeholder: 'tt_…', required: true });
  const out = h('p', { class: problem ? 'msg error' : 'msg', role: 'alert' }, problem || '');
  const button = h('button', { type: 'submit' }, 'Đăng nhập');
  const keyForm = h('form', { id: 'key-sign-in', hidden: !keyed },
    h('p', {}, 'Nhập khóa API của workspace (bắt đầu bằng tt_). Khóa chỉ được giữ trong thẻ trình duyệt này.'),
    h('label', { for: 'api-key' }, 'Khóa API'), input, button);
  const useKey = h('button', { type: 'button', class: 'link', id: 'use-key', hidden: keyed }, 'dùng khóa API');
  useKey.addEventListener('click', () => {
    keyForm.hidden = false;
    useKey.hidden = true;
    input.focus();
  });
  keyForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key.startsWith('tt_')) return say(out, 'Khóa API bắt đầu bằng tt_.', 'error');
    run(button, out, async () => {
      sessionStorage.setItem(KEY, key);
      try {
        await api('GET', '/integrations'); // is the key good?
      } catch (e) {
        sessionStorage.removeItem(KEY);
        input.value = '';
        input.focus();
        return say(out, errorText(e), 'error');
      }
      route();
    });
  });
  app.replaceChildren(h('section', { class: 'card narrow', id: 'sign-in' },
    h('h1', {}, 'Đăng nhập'),
    h('p', {}, 'Đăng nhập bằng tài khoản Zalo của bạn để thiết lập và xem thông báo biến động số dư qua Zalo OA.'),
    h('p', { class: 'actions' }, zaloSignIn('zalo-sign-in')),
    keyForm,
    h('p', { class: 'small muted' }, 'Người vận hành có khóa API: ', useKey),
    out));
  if (keyed) input.focus();
}

// The home page's checklist: what is set up, and what to do next.
const CHECKLIST = [
  ['bank_account', 'Thêm tài khoản ngân hàng'],
  ['bank_feed', 'Kết nối nguồn giao dịch (webhook Casso)'],
  ['follows_oa', 'Quan tâm Zalo OA'],
  ['integration', 'Tạo tích hợp Zalo OA'],
  ['staff', 'Mời nhân viên'],
  ['first_alert', 'Nhận thông báo đầu tiên'],
];

async function showHome(live) {
  const [integrations, banks, list, sources] = await Promise.all([
    api('GET', '/integrations'), api('GET', '/bank-accounts'), api('GET', '/checklist'), api('GET', '/webhook-sources')]);
  if (!live()) return;
  const bankByID = new Map(banks.items.map((b) => [b.id, b]));
  const out = h('p', { class: 'msg', role: 'alert' });
  const create = h('button', { type: 'button', id: 'new-integration' }, 'Tạo tích hợp mới');
  create.addEventListener('click', () => run(create, out, async () => {
    const w = await api('POST', '/wizards', {});
    location.hash = '#/wizard/' + w.id;
  }));
  const rows = integrations.items.map((i) => h('li', { class: 'row' },
    h('a', { href: '#/integrations/' + i.id, class: 'grow' },
      h('strong', {}, 'Zalo: ' + i.owner.name),
      h('span', { class: 'muted' }, ' · ' + i.bank_account_ids.map((id) => bankText(bankByID.get(id) || { account_number: id })).join(', '))),
    statusBadge(i.status)));

  // What each item says, and lets one do, under its title.
  const how = {
    bank_account: () => bankAccountForm(banks.items),
    bank_feed: () => feedForm(sources.items, list.last_webhook_at),
    follows_oa: () => h('p', { class: 'muted' }, list.follows_oa ? 'Tài khoản Zalo của bạn đã Quan tâm Zalo OA.'
      : 'Mở Zalo, tìm Zalo OA và nhấn "Quan tâm": chỉ tài khoản đã Quan tâm mới nhận được tin nhắn.'),
    integration: () => h('p', { class: 'muted' }, list.integration ? 'Đã có tích hợp: xem danh sách bên dưới.'
      : 'Chọn tài khoản ngân hàng, đăng nhập Zalo, chọn dữ liệu gửi kèm rồi gọi thử: bấm "Tạo tích hợp mới" bên dưới.'),
    staff: () => h('p', { class: 'muted' }, 'Đồng nghiệp vào nhóm qua ',
      owns() ? h('a', { href: '#/team' }, 'liên kết mời') : 'liên kết mời của chủ workspace',
      '; người nhận thông báo nhắn mã giới thiệu của tích hợp cho Zalo OA.'),
    first_alert: () => h('p', { class: 'muted' }, list.first_alert ? 'Zalo OA đã gửi thông báo biến động số dư.'
      : 'Khi có giao dịch mới, tin nhắn đầu tiên hiện trong nhật ký gửi tin của tích hợp.'),
  };
  const next = CHECKLIST.find(([k]) => !list[k]);
  const items = CHECKLIST.map(([k, title], i) => h('li', { class: list[k] ? 'todo done' : 'todo', 'data-item': k, id: 'todo-' + k },
    h('span', { class: 'todo-mark', 'aria-label': list[k] ? 'Đã xong' : 'Chưa xong' }, list[k] ? '✓' : String(i + 1)),
    h('div', { class: 'grow' }, h('strong', {}, title), next && next[0] === k ? h('span', { class: 'badge next' }, 'Làm tiếp') : null, how[k]())));
  app.replaceChildren(
    h('section', { class: 'card', id: 'checklist' },
      h('h1', {}, 'Bắt đầu'),
      h('ol', { class: 'todos' }, items)),
    h('section', { class: 'card' },
      h('div', { class: 'head' }, h('h1', {}, 'Các tích hợp Zalo OA'), create),
      rows.length ? h('ul', { class: 'list', id: 'integrations' }, rows)
        : h('p', { class: 'muted', id: 'integrations' }, 'Chưa có tích hợp nào. Tạo tích hợp để nhận thông báo biến động số dư qua Zalo.'),
      out),
    h('p', {}, h('a', { href: '#/sources', id: 'sources-link' }, 'Nguồn giao dịch (Casso, SePay)'),
      owns() ? [' · ', h('a', { href: '#/keys', id: 'keys-link' }, 'Quản lý khóa API')] : null));
}

// bankAccountForm lists the workspace's bank accounts and adds one.
function bankAccountForm(banks) {
  const out = h('p', { class: 'msg', role: 'alert', id: 'bank-msg' });
  const bank = h('input', { id: 'bank-name', type: 'text', maxlength: 128, placeholder: 'VD: Vietcombank' });
  const number = h('input', { id: 'account-number', type: 'text', maxlength: 64, inputmode: 'numeric', placeholder: 'Số tài khoản' });
  const holder = h('input', { id: 'account-name', type: 'text', maxlength: 128, placeholder: 'Tên chủ tài khoản' });
  const add = h('button', { type: 'submit', id: 'add-bank' }, 'Thêm tài khoản');
  const form = h('form', { class: 'inline-form', id: 'bank-form' }, bank, number, holder, add);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!number.value.trim()) return say(out, 'Hãy nhập số tài khoản.', 'error');
    run(add, out, async () => {
      await api('POST', '/bank-accounts', { bank_name: bank.value.trim(), account_number: number.value.trim(), account_name: holder.value.trim() });
      route();
    });
  });
  return h('div', {},
    banks.length ? h('ul', { class: 'commands', id: 'bank-accounts' }, banks.map((b) => h('li', {}, bankText(b)))) : null,
    form, out);
}

// newFeed is the feed just made, {url, secret}: its secret is shown once,
// on the home page drawn next.
let newFeed = null;

// feedForm is the bank feed: a Casso webhook source's URL and secret, to
// copy into Casso, and when a webhook last brought a transaction.
function feedForm(sources, lastWebhookAt) {
  const out = h('p', { class: 'msg', role: 'alert', id: 'feed-msg' });
  const fresh = h('div', { id: 'new-feed' });
  if (newFeed) {
    fresh.replaceChildren(h('div', { class: 'invite' },
      h('p', {}, 'Dán vào Casso (Tích hợp → Webhook) hai giá trị sau. Khóa bảo mật sẽ không được hiển thị lại.'),
      copyLine('Đường dẫn webhook', newFeed.url, 'copy-feed-url', 'feed-url'),
      copyLine('Khóa bảo mật', newFeed.secret, 'copy-feed-secret', 'feed-secret-value'),
      newFeed.provider === 'casso_v1' ? h('p', { class: 'msg warn', id: 'source-warning' }, V1_WARNING) : null));
    newFeed = null;
  }
  const provider = h('select', { id: 'feed-provider' },
    h('option', { value: 'casso_v2' }, 'Casso webhook V2'), h('option', { value: 'casso_v1' }, 'Casso webhook V1'));
  const secret = h('input', { id: 'feed-secret', type: 'text', maxlength: 256, value: randomSecret() });
  const add = h('button', { type: 'submit', id: 'add-feed' }, 'Tạo kênh nhận');
  const form = h('form', { class: 'inline-form', id: 'feed-form' },
    provider, h('label', { for: 'feed-secret' }, 'Khóa bảo mật'), secret, add);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = secret.value.trim();
    if (value.length < 8) return say(out, 'Khóa bảo mật cần từ 8 ký tự (dán khóa Casso hiển thị, hoặc giữ khóa tạo sẵn).', 'error');
    run(add, out, async () => {
      const src = await api('POST', '/webhook-sources', { provider: provider.value, secret: value });
      newFeed = { url: src.url, secret: value, provider: src.provider };
      route();
    });
  });
  return h('div', {},
    sources.length && !fresh.firstChild ? h('ul', { class: 'list', id: 'feeds' }, sources.map((src) => h('li', { class: 'row' },
      copyLine(src.provider === 'casso_v1' ? 'Casso V1' : 'Casso V2', src.url, null, null)))) : null,
    h('p', { class: 'muted', id: 'last-webhook' }, lastWebhookAt ? 'Giao dịch gần nhất qua webhook: ' + formatTime(lastWebhookAt)
      : 'Chưa nhận giao dịch nào qua webhook.'),
    form, fresh, out);
}

// copyLine is a labelled value with a "Sao chép" button.
function copyLine(label, value, buttonID, valueID) {
  const button = h('button', { type: 'button', class: 'secondary', id: buttonID }, 'Sao chép');
  button.addEventListener('click', () => copy(value, button));
  return h('div', { class: 'copyline' }, h('span', { class: 'muted' }, label), h('code', { id: valueID }, value), button);
}

// randomSecret suggests a webhook secret: 24 random characters.
function randomSecret() {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_');
}

function statusBadge(status) {
  return status === 'active' ? h('span', { class: 'badge on' }, 'Đang hoạt động')
    : h('span', { class: 'badge off' }, 'Tạm dừng');
}

const STEPS = ['bank_accounts', 'zalo_account', 'fields', 'test_call', 'save'];

async function showWizard(id, live) {
  const [first, banks, accounts, templates] = await Promise.all([
    api('GET', '/wizards/' + id), api('GET', '/bank-accounts'), api('GET', '/zalo-accounts'), api('GET', '/zalo-templates')]);
  if (!live()) return;
  let st = first;
  const base = '/wizards/' + id;

  // step sends one step and draws the wizard again from its answer.
  const step = (button, out, method, path, body) => run(button, out, async () => {
    st = await api(method, base + path, body);
    draw();
  });

  function draw() {
    if (!live()) return;
    if (st.status === 'saved') return app.replaceChildren(saved());
    if (st.status !== 'in_progress') {
      const why = st.status === 'expired' ? 'đã hết hạn (7 ngày không thao tác)' : 'đã bị hủy';
      return app.replaceChildren(h('section', { class: 'card' },
        h('h1', {}, 'Thiết lập tích hợp'), h('p', {}, 'Phiên thiết lập này ' + why + '.'),
        h('p', {}, h('a', { href: '#/' }, 'Về trang chủ để tạo tích hợp mới'))));
    }
    const at = STEPS.indexOf(st.step);
    const cancelOut = h('p', { class: 'msg', role: 'alert' });
    const cancel = h('button', { type: 'button', class: 'link' }, 'Hủy thiết lập');
    cancel.addEventListener('click', () => {
      if (!confirm('Hủy phiên thiết lập này? Những gì đã chọn sẽ không được lưu.')) return;
      run(cancel, cancelOut, async () => {
        await api('DELETE', base);
        location.hash = '#/';
      });
    });
    app.replaceChildren(
      h('h1', {}, 'Thiết lập tích hợp Zalo OA'),
      card(1, 'Chọn tài khoản ngân hàng', at >= 0, () => bankStep()),
      card(2, 'Thiết lập Zalo OA nhận dữ liệu', at >= 1, () => zaloStep()),
      card(3, 'Cấu hình dữ liệu gửi kèm tin nhắn', at >= 2, () => fieldsStep()),
      card(4, 'Gọi thử đến Zalo OA', at >= 3, () => testStep()),
      card(5, 'Lưu tích hợp', at >= 3, () => saveStep(at)),
      h('p', {}, cancel), cancelOut);
    if (at === 2 && st.fields.length === 0) {
      // The preview needs fields: start from the usual ones.
      const out = document.getElementById('fields-msg');
      step(null, out, 'PUT', '/fields', { fields: DEFAULT_FIELDS });
    }
  }

  function card(n, title, open, body) {
    return h('section', { class: open ? 'card' : 'card locked', id: 'step-' + n },
      h('h2', {}, h('span', { class: 'step-no' }, n), title),
      open ? body() : h('p', { class: 'muted' }, 'Hoàn thành bước trước để tiếp tục.'));
  }

  function bankStep() {
    const out = h('p', { class: 'msg', role: 'alert' });
    if (banks.items.length === 0) {
      return h('p', { class: 'muted' }, 'Workspace chưa có tài khoản ngân hàng nào. Tài khoản được thêm khi Casso gửi giao dịch, hoặc qua API POST /v1/bank-accounts.');
    }
    const chosen = new Set(st.bank_account_ids);
    const boxes = banks.items.map((b) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'bank', value: b.id, checked: chosen.has(b.id) }), bankText(b)));
    const direction = h('select', { id: 'direction' },
      DIRECTIONS.map(([v, text]) => h('option', { value: v, selected: (st.direction || 'in') === v }, text)));
    const min = h('input', { id: 'min-amount', type: 'number', min: 0, step: 1000, value: String(st.min_amount || 0) });
    const next = h('button', { type: 'button', id: 'save-banks' }, 'Tiếp tục');
    next.addEventListener('click', () => {
      const ids = boxes.map((l) => l.querySelector('input')).filter((i) => i.checked).map((i) => i.value);
      const amount = Number(min.value || 0);
      if (ids.length === 0) return say(out, 'Hãy chọn ít nhất một tài khoản ngân hàng.', 'error');
      if (!Number.isSafeInteger(amount) || amount < 0) return say(out, 'Số tiền tối thiểu là một số nguyên đồng, không âm.', 'error');
      step(next, out, 'PUT', '/bank-accounts', { bank_account_ids: ids, direction: direction.value, min_amount: amount });
    });
    return h('div', {},
      h('p', {}, 'Chọn các tài khoản ngân hàng muốn gửi thông báo qua Zalo.'),
      h('div', { class: 'checks', id: 'banks' }, boxes),
      h('div', { class: 'grid' },
        h('label', { for: 'direction' }, 'Loại giao dịch'), direction,
        h('label', { for: 'min-amount' }, 'Số tiền tối thiểu (VND)'), min),
      next, out);
  }

  function zaloStep() {
    const out = h('p', { class: 'msg', role: 'alert' });
    const login = h('button', { type: 'button', id: 'zalo-login', class: accounts.items.length ? 'link' : 'zalo' },
      accounts.items.length ? 'Đăng nhập bằng tài khoản Zalo khác' : 'Đăng nhập bằng Zalo');
    login.addEventListener('click', () => run(login, out, async () => {
      // Zalo sends the browser back to the API, which sends it back here.
      const res = await api('POST', base + '/zalo-login', { return_to: '/#/wizard/' + id });
      location.assign(res.authorize_url);
    }));
    const current = st.zalo_account && st.zalo_account.id;
    const radios = accounts.items.map((a) => {
      const input = h('input', { type: 'radio', name: 'zalo', value: a.id, checked: a.id === current });
      input.addEventListener('change', () => step(null, out, 'PUT', '/zalo-account', { zalo_account_id: a.id }));
      return h('label', { class: 'check' }, input, a.name,
        a.follows_oa ? h('span', { class: 'badge on' }, 'Đã Quan tâm OA') : h('span', { class: 'badge off' }, 'Chưa Quan tâm OA'));
    });
    const warn = st.zalo_account && !st.zalo_account.follows_oa
      ? h('p', { class: 'msg warn' }, `Tài khoản ${st.zalo_account.name} chưa Quan tâm Zalo OA. Mở Zalo, tìm Zalo OA và nhấn "Quan tâm" để nhận được tin nhắn.`)
      : null;
    return h('div', {},
      h('p', {}, 'Chọn tài khoản Zalo nhận thông báo. Tài khoản Zalo đã Quan tâm Zalo OA mới nhận được tin nhắn.'),
      radios.length ? h('div', { class: 'checks', id: 'zalo-accounts' }, radios) : null,
      warn, h('p', {}, login), out);
  }

  function fieldsStep() {
    const out = h('p', { class: 'msg', role: 'alert', id: 'fields-msg' });
    const chosen = new Set(st.fields.length ? st.fields : ['amount', ...DEFAULT_FIELDS]);
    const boxes = FIELDS.map(([name, label]) => {
      const input = h('input', { type: 'checkbox', value: name, checked: chosen.has(name), disabled: name === 'amount' });
      input.addEventListener('change', () => {
        const fields = boxes.map((l) => l.querySelector('input')).filter((i) => i.checked && i.value !== 'amount').map((i) => i.value);
        step(null, out, 'PUT', '/fields', { fields });
      });
      return h('label', { class: 'check' }, input, label);
    });
    return h('div', {},
      h('p', {}, 'Chọn dữ liệu gửi kèm tin nhắn thông báo (số tiền luôn có).'),
      h('div', { class: 'checks inline', id: 'fields' }, boxes),
      h('h3', {}, 'Xem trước tin nhắn'),
      h('pre', { class: 'preview', id: 'preview' }, st.preview || '…'),
      out,
      h('h3', {}, 'Mẫu tin ZBS của Zalo OA'),
      h('p', {}, 'Tin nhắn tư vấn chỉ tới được người đã nhắn cho Zalo OA trong 7 ngày qua. Với những người khác, ' +
        'thông báo được gửi bằng mẫu tin ZBS đã được Zalo duyệt, tính phí theo từng tin. ' +
        'Sau khi lưu, bạn chọn mẫu tin và ghép dữ liệu vào mẫu trên trang của tích hợp.'),
      templateTable(templates.items));
  }

  function testStep() {
    const out = h('p', { class: 'msg', role: 'alert', id: 'test-result' });
    const tc = st.test_call;
    if (tc && tc.ok) {
      const by = ROUTE_NAMES[tc.route] ? ' qua ' + ROUTE_NAMES[tc.route] : '';
      say(out, `Gọi thử thành công. Đã gửi tin thử${by} tới Zalo của ${st.zalo_account.name}.`);
    }
    // No route reached the account (nothing was sent): chat needs a message
    // from them within 7 days, and the wizard has no template yet.
    else if (tc && !tc.ok) say(out, tc.route === 'none' && !tc.zalo_code ? `Chưa gửi được tin thử: ${WRITE_TO_OA}.` : zaloRefusal(tc.zalo_code), 'error');
    const button = h('button', { type: 'button', id: 'test-call' }, 'Gọi thử');
    button.addEventListener('click', () => run(button, out, async () => {
      try {
        await api('POST', base + '/test-call');
      } catch (e) {
        // A refusal is kept in the wizard's state, with the route it took.
        if (!(e instanceof APIError && e.code === 'zalo_refused')) throw e;
      }
      st = await api('GET', base);
      draw();
    }));
    return h('div', {},
      h('p', {}, `Gửi một tin nhắn mẫu thông báo biến động số dư tới Zalo của ${st.zalo_account.name}.`),
      button, out);
  }

  function saveStep(at) {
    const out = h('p', { class: 'msg', role: 'alert' });
    const button = h('button', { type: 'button', id: 'save', disabled: at < 4 }, 'Lưu');
    button.addEventListener('click', () => run(button, out, async () => {
      await api('POST', base + '/save');
      st = await api('GET', base);
      draw();
    }));
    return h('div', {},
      at < 4 ? h('p', { class: 'muted' }, 'Cần gọi thử thành công trước khi lưu.') : null,
      button, out);
  }

  function saved() {
    return h('section', { class: 'card', id: 'invite-step' },
      h('h1', {}, 'Đã lưu tích hợp'),
      h('p', { class: 'msg ok' }, 'Từ giờ mỗi giao dịch mới sẽ được báo qua Zalo OA.'),
      h('h2', {}, 'Mời tài khoản khác nhận thông báo'),
      inviteBox(st.referral_code),
      h('p', { class: 'actions' },
        h('a', { class: 'button', href: '#/integrations/' + st.integration_id, id: 'open-integration' }, 'Mở trang tích hợp'),
        h('a', { href: '#/' }, 'Về trang chủ')));
  }

  draw();
}

// changeText says what a change to an integration was (its route and
// what it set), in words; templates name the template ids it set.
function changeText(c, templates) {
  const d = c.detail || {};
  const who = d.name ? ' ' + d.name : '';
  const changed = d.changed || [];
  switch (c.action) {
    case 'POST /v1/wizards/:id/save': return 'Tạo tích hợp';
    case 'POST /v1/integrations/:id/referral-code': return 'Đổi mã giới thiệu';
    case 'POST /v1/integrations/:id/deliveries/:delivery_id/retry': return 'Gửi lại một tin';
    case 'DELETE /v1/integrations/:id/members/:member_id': return 'Xóa người nhận' + who;
    case 'PATCH /v1/integrations/:id/members/:member_id': {
      const parts = [];
      if (d.hidden_fields) {
        const hidden = d.hidden_fields.map((f) => fieldText(f).toLowerCase());
        parts.push(hidden.length ? `Ẩn ${hidden.join(', ')} với${who}` : `Cho${who} thấy đủ dữ liệu gửi kèm`);
      }
      if (changed.includes('phone')) parts.push('Đổi số điện thoại của' + who);
      if (changed.includes('quiet_hours')) parts.push('Đổi giờ yên lặng của' + who);
      return parts.join('; ') || 'Đổi cài đặt của' + who;
    }
    case 'PATCH /v1/integrations/:id': {
      const parts = [];
      if (d.status === 'paused') parts.push('Tạm dừng gửi thông báo');
      if (d.status === 'active') parts.push('Tiếp tục gửi thông báo');
      if (d.template_id !== undefined) {
        const t = templates.find((x) => x.template_id === d.template_id);
        parts.push(d.template_id ? `Dùng mẫu tin ZBS "${t ? t.name : d.template_id}"` : 'Bỏ mẫu tin ZBS');
      } else if (changed.includes('template_params')) parts.push('Đổi cách ghép dữ liệu vào mẫu tin ZBS');
      if (changed.includes('owner_phone')) parts.push('Đổi số điện thoại của chủ tích hợp');
      if (changed.includes('owner_quiet_hours')) parts.push('Đổi giờ yên lặng của chủ tích hợp');
      if (d.silence_alert_hours !== undefined || d.daily_summary_at !== undefined) parts.push('Đổi báo cho chủ tích hợp');
      return parts.join('; ') || 'Đổi cài đặt';
    }
  }
  return c.action;
}

// quietHours tidies quiet hours as people type them (22h-6h, 22:00 - 6:00,
// 22h đến 6h) into the API's HH:MM-HH:MM; anything else is left for the
// API to refuse.
function quietHours(text) {
  const m = text.trim().match(/^(.+?)\s*(?:-|–|đến)\s*(.+)$/);
  return m ? dayTime(m[1]) + '-' + dayTime(m[2]) : text.trim();
}

// quietText says what quiet hours do.
function quietText(q) {
  if (!q) return 'Không có giờ yên lặng: thông báo đến ngay.';
  const [from, to] = q.split('-');
  return `Thông báo từ ${from} đến ${to} được giữ lại và gửi gộp thành một tin lúc ${to}.`;
}

// costBox is what this month's alerts cost, and how many each route sent.
function costBox(cost) {
  const routes = Object.entries(cost.by_route || {});
  const d = inVietnam(cost.since);
  return h('div', { id: 'cost' },
    h('p', {}, `Từ ngày ${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}: `, h('strong', { id: 'cost-total' }, formatVND(cost.cost_vnd, false))),
    routes.length === 0 ? h('p', { class: 'muted' }, 'Tháng này chưa gửi tin nào.')
      : h('table', {},
        h('thead', {}, h('tr', {}, ['Gửi qua', 'Số tin đã gửi', 'Chi phí'].map((x) => h('th', {}, x)))),
        h('tbody', {}, routes.map(([rt, c]) => h('tr', {},
          h('td', {}, ROUTES[rt] || rt), h('td', { class: 'num' }, String(c.sent)), h('td', { class: 'num' }, formatVND(c.cost_vnd, false)))))));
}

async function showIntegration(id, live) {
  const base = '/integrations/' + id;
  const [first, banks, tpls] = await Promise.all([api('GET', base), api('GET', '/bank-accounts'), api('GET', '/zalo-templates')]);
  if (!live()) return;
  let integ = first;
  const templates = tpls.items;
  const templateOf = (tid) => templates.find((t) => t.template_id === tid);
  const bankByID = new Map(banks.items.map((b) => [b.id, b]));
  const log = h('div', { id: 'deliveries' });
  const logOut = h('p', { class: 'msg', role: 'alert' });
  const changes = h('div', { id: 'changes' });
  const cost = h('div', {});
  // A viewer may look but not change: no previews asked for them.
  const manages = !me || me.role === 'owner' || me.role === 'manager';
  // done is what the template section says after the page is drawn again
  // by a change of template.
  let done = null;

  // Names by OA user id; a member removed since stays known on this page.
  const names = new Map();
  function learnNames() {
    for (const m of integ.members) names.set(m.oa_user_id, m.name);
    if (integ.owner.oa_user_id) names.set(integ.owner.oa_user_id, integ.owner.name);
  }

  async function refreshChanges() {
    const res = await api('GET', base + '/changes');
    if (!live()) return;
    changes.replaceChildren(res.items.length === 0 ? h('p', { class: 'muted' }, 'Chưa có thay đổi nào.')
      : h('table', {},
        h('thead', {}, h('tr', {}, ['Lúc', 'Người thay đổi', 'Thay đổi'].map((t) => h('th', {}, t)))),
        h('tbody', {}, res.items.map((c) => h('tr', {},
          h('td', { class: 'nowrap' }, formatTime(c.at)),
          h('td', {}, c.actor.kind === 'key' ? `Khóa API "${c.actor.name}"` : c.actor.name),
          h('td', {}, changeText(c, templates)))))));
  }

  // refreshLog draws the delivery log, the changes and the month's cost
  // again.
  async function refreshLog() {
    const [res, fresh] = await Promise.all([api('GET', base + '/deliveries?limit=50'), api('GET', base), refreshChanges()]);
    if (!live()) return;
    integ.cost_month = fresh.cost_month;
    cost.replaceChildren(costBox(integ.cost_month));
    learnNames();
    log.replaceChildren(res.items.length === 0 ? h('p', { class: 'muted' }, 'Chưa có tin nhắn nào.')
      : h('table', {},
        h('thead', {}, h('tr', {}, ['Thời gian giao dịch', 'Mã giao dịch', 'Số tiền', 'Người nhận', 'Gửi qua', 'Trạng thái', 'Phí', 'Ghi chú']
          .map((t) => h('th', {}, t)))),
        h('tbody', {}, res.items.map((d) => {
          let again = null;
          if (d.status === 'failed' || d.status === 'skipped') {
            again = h('button', { type: 'button', class: 'link resend' }, 'Gửi lại');
            again.addEventListener('click', () => run(again, logOut, async () => {
              await api('POST', `${base}/deliveries/${d.id}/retry`);
              await refreshLog();
            }));
          }
          const receipt = receiptText(d);
          return h('tr', { class: 'status-' + d.status },
            h('td', {}, formatTime(d.occurred_at)),
            h('td', { class: 'nowrap' }, d.external_id),
            h('td', { class: 'num' }, formatVND(d.amount)),
            h('td', {}, d.role === 'owner' ? (names.get(d.recipient) || 'Chủ tích hợp') + ' (chủ tích hợp)'
              : names.get(d.recipient) || 'Thành viên đã bị xóa'),
            h('td', { class: 'nowrap' }, d.route ? ROUTES[d.route] || d.route : ''),
            h('td', { class: 'status' }, statusText(d), receipt ? h('div', { class: 'receipt' }, receipt) : null),
            h('td', { class: 'num' }, d.cost_vnd > 0 ? formatVND(d.cost_vnd, false) : ''),
            // The log's own words stay at hand for an operator.
            h('td', { title: d.last_error || null }, deliveryNotes(d), again ? ' ' : '', again));
        }))));
  }

  // The fields this integration sends that a member may be spared: all
  // but the amount.
  const hideable = () => integ.fields.filter((f) => f !== 'amount');

  // privacy is a member's "ẩn với người này" checkboxes, saved on each
  // change. A field hidden before and not shown by the integration stays
  // hidden.
  function privacy(m) {
    const shown = hideable();
    if (shown.length === 0) return null;
    const out = h('p', { class: 'msg', role: 'alert' });
    const boxes = shown.map((f) => h('input', { type: 'checkbox', name: 'hide', value: f, checked: (m.hidden_fields || []).includes(f) }));
    const save = () => {
      const before = m.hidden_fields || [];
      const hidden = [...before.filter((f) => !shown.includes(f)), ...boxes.filter((b) => b.checked).map((b) => b.value)];
      for (const b of boxes) b.disabled = true;
      run(null, out, async () => {
        try {
          const res = await api('PATCH', `${base}/members/${m.id}`, { hidden_fields: hidden });
          m.hidden_fields = res.hidden_fields || [];
        } catch (e) {
          for (const b of boxes) b.checked = before.includes(b.value);
          throw e;
        } finally {
          for (const b of boxes) b.disabled = false;
        }
        const now = shown.filter((f) => m.hidden_fields.includes(f));
        say(out, now.length ? `Đã lưu: từ tin tiếp theo, ${m.name} sẽ không thấy ${now.map((f) => fieldText(f).toLowerCase()).join(', ')}.`
          : `Đã lưu: ${m.name} sẽ thấy đủ dữ liệu gửi kèm.`);
      });
    };
    for (const b of boxes) b.addEventListener('change', save);
    return h('div', { class: 'hide-fields' },
      h('span', { class: 'muted' }, 'Ẩn với người này:'),
      boxes.map((b) => h('label', { class: 'check' }, b, fieldText(b.value))),
      out);
  }

  // reachOf is how a person is reached, and their phone and quiet hours:
  // patch saves {phone, quiet_hours} (only what changed) and answers the
  // person as the API now sees them. The phone is shown masked to all but
  // the workspace's owner (the API masks it), so an unchanged one is not
  // sent back.
  function reachOf(p, patch) {
    let reach = reachLine(p, templateOf(integ.template_id));
    const out = h('p', { class: 'msg', role: 'alert' });
    const phone = h('input', { type: 'text', name: 'phone', inputmode: 'tel', maxlength: 20, value: p.phone || '',
      placeholder: 'VD: 0912345678', 'aria-label': 'Số điện thoại của ' + p.name });
    const quiet = h('input', { type: 'text', name: 'quiet_hours', maxlength: 20, value: p.quiet_hours || '',
      placeholder: 'VD: 22:00-06:00', 'aria-label': 'Giờ yên lặng của ' + p.name });
    const save = h('button', { type: 'submit', class: 'secondary' }, 'Lưu');
    const form = h('form', { class: 'contact', novalidate: true },
      h('label', {}, 'Số điện thoại', phone), h('label', {}, 'Giờ yên lặng', quiet), save, out);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const body = {};
      if (phone.value.trim() !== (p.phone || '')) body.phone = phone.value.trim();
      if (quietHours(quiet.value) !== (p.quiet_hours || '')) body.quiet_hours = quietHours(quiet.value);
      if (Object.keys(body).length === 0) return say(out, 'Không có gì thay đổi.');
      run(save, out, async () => {
        const res = await patch(body);
        Object.assign(p, res);
        phone.value = p.phone || '';
        quiet.value = p.quiet_hours || '';
        const next = reachLine(p, templateOf(integ.template_id));
        reach.replaceWith(next);
        reach = next;
        say(out, ['Đã lưu.', 'phone' in body ? (p.phone ? `Số điện thoại: ${p.phone}.` : 'Đã xóa số điện thoại.') : '',
          'quiet_hours' in body ? quietText(p.quiet_hours) : ''].filter(Boolean).join(' '));
      });
    });
    return [reach, form];
  }

  // alertsForm sets what the owner is told besides transactions: an
  // account gone quiet, and the day's summary.
  function alertsForm() {
    const out = h('p', { class: 'msg', role: 'alert', id: 'alerts-msg' });
    const hours = h('input', { id: 'silence-hours', type: 'number', min: 0, max: 720, step: 1, inputmode: 'numeric',
      value: integ.silence_alert_hours ? String(integ.silence_alert_hours) : '', placeholder: 'VD: 6' });
    const at = h('input', { id: 'summary-at', type: 'text', maxlength: 5, value: integ.daily_summary_at || '', placeholder: 'VD: 21:00' });
    const save = h('button', { type: 'submit', id: 'save-alerts' }, 'Lưu');
    const form = h('form', { id: 'alerts-form', novalidate: true },
      h('label', { class: 'setting', for: 'silence-hours' }, 'Báo khi tài khoản không có giao dịch trong', hours, 'giờ'),
      h('label', { class: 'setting', for: 'summary-at' }, 'Gửi tổng kết mỗi ngày lúc', at),
      h('p', { class: 'muted' }, 'Để trống (hoặc 0 giờ) để tắt.'),
      save, out);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (hours.validity.badInput) return say(out, INVALID.silence_alert_hours, 'error');
      run(save, out, async () => {
        const res = await api('PATCH', base, { silence_alert_hours: Number(hours.value || 0), daily_summary_at: dayTime(at.value) });
        integ.silence_alert_hours = res.silence_alert_hours;
        integ.daily_summary_at = res.daily_summary_at;
        hours.value = res.silence_alert_hours ? String(res.silence_alert_hours) : '';
        at.value = res.daily_summary_at;
        say(out, 'Đã lưu. ' + alertsText(res));
      });
    });
    return form;
  }

  // templateState says which template the alerts go by, and whether Zalo
  // still takes it.
  function templateState() {
    const t = templateOf(integ.template_id);
    if (!integ.template_id) {
      return h('p', { id: 'template-state' }, 'Chưa dùng mẫu tin nào: người đã quá 7 ngày chưa nhắn cho OA sẽ không nhận được thông báo.');
    }
    if (!t || !t.usable) {
      return h('p', { class: 'msg warn', id: 'template-state' }, `Mẫu tin đang dùng (${t ? t.name : 'mã ' + integ.template_id}) ` +
        `không gửi được nữa${t ? ': ' + unusableText(t) : ': Zalo OA không còn mẫu này'}. ` +
        'Thông báo không được gửi bằng mẫu tin cho tới khi bạn chọn mẫu khác.');
    }
    return h('p', { id: 'template-state' }, 'Đang dùng mẫu ', h('strong', {}, t.name), ` (mã ${t.template_id}): ` +
      (t.sendable_by_uid ? `${priceText(t.price_uid)} gửi qua UID, ` : 'chỉ gửi được qua số điện thoại, ') + `${priceText(t.price_sdt)} gửi qua SĐT.`);
  }

  // templateForm chooses the template among the usable ones, and which of
  // the alert's fields fills each of its parameters, with a live preview
  // of what the recipient reads.
  function templateForm() {
    const out = h('p', { class: 'msg', role: 'alert', id: 'template-msg' });
    if (done) say(out, done);
    done = null;
    const usable = templates.filter((t) => t.usable);
    const pick = h('select', { id: 'template-pick' },
      h('option', { value: '' }, '— Chọn mẫu tin —'),
      usable.map((t) => h('option', { value: t.template_id, selected: t.template_id === integ.template_id }, `${t.name} (mã ${t.template_id})`)));
    const params = h('div', { id: 'template-params' });
    const preview = h('pre', { class: 'preview', id: 'template-preview', hidden: true });
    const previewOut = h('p', { class: 'msg', role: 'alert' });
    let selects = []; // [param, its select]
    const mapping = () => Object.fromEntries(selects.filter(([, sel]) => sel.value).map(([p, sel]) => [p.name, sel.value]));

    let asked = 0; // the preview shown is the last one asked for
    function showPreview() {
      const mine = ++asked;
      if (!pick.value || !manages) {
        preview.hidden = true;
        return;
      }
      run(null, previewOut, async () => {
        const res = await api('POST', `/zalo-templates/${encodeURIComponent(pick.value)}/preview`, { template_params: mapping() });
        if (mine !== asked || !live()) return;
        preview.textContent = res.text;
        preview.hidden = false;
      });
    }

    function drawParams() {
      const t = templateOf(pick.value);
      const chosen = t && t.template_id === integ.template_id ? integ.template_params || {} : {};
      const sent = ['amount', ...integ.fields]; // what an alert of this integration has
      selects = (t ? t.params : []).map((p) => [p, h('select', { name: 'param', 'data-param': p.name },
        h('option', { value: '' }, p.required ? '— Chọn dữ liệu —' : '— Để trống —'),
        FIELDS.filter(([f]) => sent.includes(f) || chosen[p.name] === f)
          .map(([f, label]) => h('option', { value: f, selected: chosen[p.name] === f }, label)))]);
      for (const [, sel] of selects) {
        sel.addEventListener('change', () => {
          say(out, '', ''); // what was said of the choice before
          showPreview();
        });
      }
      params.replaceChildren(...selects.map(([p, sel]) => h('label', { class: 'setting param' },
        h('code', {}, p.name), p.required ? h('span', { class: 'required', title: 'bắt buộc' }, '*') : null,
        h('span', { class: 'muted' }, `(tối đa ${p.max_length} ký tự)`), sel)));
      showPreview();
    }
    pick.addEventListener('change', () => {
      say(out, '', '');
      drawParams();
    });

    const save = h('button', { type: 'submit', id: 'save-template' }, 'Lưu mẫu tin');
    let clear = null;
    if (integ.template_id) {
      clear = h('button', { type: 'button', class: 'secondary', id: 'clear-template' }, 'Bỏ mẫu tin');
      clear.addEventListener('click', () => {
        if (!confirm('Bỏ mẫu tin ZBS? Người đã quá 7 ngày chưa nhắn cho OA sẽ không nhận được thông báo nữa.')) return;
        run(clear, out, async () => {
          integ = await api('PATCH', base, { template_id: '' });
          done = 'Đã bỏ mẫu tin ZBS.';
          draw();
        });
      });
    }
    const form = h('form', { id: 'template-form' },
      h('label', { class: 'setting', for: 'template-pick' }, 'Mẫu tin dùng cho thông báo', pick),
      usable.length ? null : h('p', { class: 'muted' }, 'Chưa có mẫu nào dùng được: cần mẫu loại Giao dịch đã được Zalo duyệt.'),
      h('p', { class: 'muted' }, 'Chọn dữ liệu gửi kèm của tích hợp cho từng tham số của mẫu (* là bắt buộc). ' +
        'Dữ liệu dài hơn giới hạn của tham số sẽ được cắt bớt.'),
      params, preview, previewOut,
      h('p', { class: 'actions' }, save, clear));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const t = templateOf(pick.value);
      if (!t) return say(out, 'Hãy chọn một mẫu tin, hoặc bấm "Bỏ mẫu tin" để không dùng mẫu nữa.', 'error');
      const missing = t.params.filter((p) => p.required && !mapping()[p.name]).map((p) => p.name);
      if (missing.length) return say(out, `Hãy chọn dữ liệu cho tham số bắt buộc: ${missing.join(', ')}.`, 'error');
      run(save, out, async () => {
        integ = await api('PATCH', base, { template_id: t.template_id, template_params: mapping() });
        done = `Đã lưu: người đã quá 7 ngày chưa nhắn cho OA sẽ nhận thông báo bằng mẫu "${t.name}".`;
        draw();
      });
    });
    drawParams();
    return [form, out];
  }

  function draw() {
    if (!live()) return;
    const out = h('p', { class: 'msg', role: 'alert' });
    const paused = integ.status === 'paused';
    const toggle = h('button', { type: 'button', id: 'toggle-status', class: 'secondary' }, paused ? 'Tiếp tục gửi thông báo' : 'Tạm dừng');
    toggle.addEventListener('click', () => run(toggle, out, async () => {
      integ = await api('PATCH', base, { status: paused ? 'active' : 'paused' });
      draw();
    }));
    const rotate = h('button', { type: 'button', id: 'rotate-code', class: 'secondary' }, 'Đổi mã giới thiệu');
    rotate.addEventListener('click', () => {
      if (!confirm('Đổi mã giới thiệu? Mã cũ sẽ ngừng hoạt động ngay.')) return;
      run(rotate, out, async () => {
        const res = await api('POST', base + '/referral-code');
        integ.referral_code = res.referral_code;
        draw();
      });
    });
    const members = integ.members.map((m) => {
      const remove = h('button', { type: 'button', class: 'remove', title: 'Xóa ' + m.name, 'aria-label': 'Xóa ' + m.name }, '×');
      remove.addEventListener('click', () => {
        if (!confirm(`Xóa ${m.name} khỏi danh sách nhận thông báo? Tài khoản này sẽ không nhận tin nhắn nữa.`)) return;
        run(remove, out, async () => {
          await api('DELETE', `${base}/members/${m.id}`);
          integ = await api('GET', base);
          draw();
        });
      });
      const [reach, contact] = reachOf(m, (body) => api('PATCH', `${base}/members/${m.id}`, body));
      return h('li', { class: 'row' }, h('div', { class: 'grow' }, m.name, reach, privacy(m), contact),
        h('span', { class: 'muted' }, 'tham gia ' + formatTime(m.added_at)), remove);
    });
    const owner = integ.owner;
    const [ownerReach, ownerContact] = reachOf(owner, async (body) => {
      integ = await api('PATCH', base, { owner_phone: body.phone, owner_quiet_hours: body.quiet_hours });
      return integ.owner;
    });
    const reload = h('button', { type: 'button', class: 'link', id: 'refresh-log' }, 'Làm mới');
    reload.addEventListener('click', () => run(reload, logOut, refreshLog));
    cost.replaceChildren(costBox(integ.cost_month));
    app.replaceChildren(
      h('p', {}, h('a', { href: '#/' }, '← Các tích hợp')),
      h('div', { class: 'cols' }, h('section', { class: 'card' },
        h('div', { class: 'head' }, h('h1', {}, 'Tích hợp Zalo OA'), h('span', { id: 'status' }, statusBadge(integ.status))),
        h('dl', {},
          h('dt', {}, 'Chủ tích hợp'), h('dd', {}, owner.name),
          h('dt', {}, 'Tài khoản ngân hàng'), h('dd', {}, integ.bank_account_ids.map((b) => bankText(bankByID.get(b) || { account_number: b })).join(', ')),
          h('dt', {}, 'Loại giao dịch'), h('dd', {}, directionText(integ.direction)),
          h('dt', {}, 'Số tiền tối thiểu'), h('dd', {}, formatVND(integ.min_amount, false)),
          h('dt', {}, 'Dữ liệu gửi kèm'), h('dd', {}, integ.fields.map(fieldText).join(', '))),
        h('p', { class: 'actions' }, toggle),
        out),
      h('section', { class: 'card' },
        h('h2', {}, 'Mời tài khoản khác nhận thông báo'),
        inviteBox(integ.referral_code),
        h('p', { class: 'actions' }, rotate))),
      h('section', { class: 'card' },
        h('h2', {}, 'Danh sách tài khoản tham gia'),
        members.length && hideable().length ? h('p', { class: 'muted' }, 'Với từng người, bạn có thể ẩn bớt dữ liệu gửi kèm ' +
          '(số tiền luôn được gửi). Chủ tích hợp luôn thấy mọi dữ liệu.') : null,
        h('p', { class: 'muted' }, 'Số điện thoại dùng để gửi mẫu tin ZBS đến số đó khi cách khác không tới được người này. ' +
          'Giờ yên lặng (ví dụ 22:00-06:00, giờ Việt Nam): thông báo trong khoảng giờ này được giữ lại và gửi gộp thành một tin khi hết giờ.'),
        h('ul', { class: 'list', id: 'members' },
          h('li', { class: 'row', id: 'owner' }, h('div', { class: 'grow' }, owner.name, ownerReach, ownerContact),
            h('span', { class: 'muted' }, 'chủ tích hợp · thấy mọi dữ liệu')),
          members),
        members.length ? null : h('p', { class: 'muted' }, 'Chưa có ai khác tham gia.')),
      h('section', { class: 'card', id: 'template-card' },
        h('h2', {}, 'Mẫu tin ZBS'),
        h('p', {}, 'Tin nhắn tư vấn chỉ tới được người đã nhắn cho Zalo OA trong 7 ngày qua. Với những người khác, thông báo ' +
          'được gửi bằng mẫu tin ZBS đã được Zalo duyệt, tính phí theo từng tin: qua UID (tài khoản Zalo của họ), ' +
          'hoặc qua SĐT (số điện thoại của họ, nếu bạn thêm ở trên).'),
        templateTable(templates),
        templateState(),
        templateForm()),
      h('section', { class: 'card', id: 'cost-card' },
        h('h2', {}, 'Chi phí tháng này'),
        cost),
      h('section', { class: 'card', id: 'owner-alerts' },
        h('h2', {}, 'Báo cho chủ tích hợp'),
        h('p', {}, `Ngoài tin biến động số dư, ${owner.name} có thể nhận qua Zalo OA:`),
        alertsForm()),
      h('section', { class: 'card' },
        h('div', { class: 'head' }, h('h2', {}, 'Nhật ký gửi tin'), reload),
        log, logOut),
      h('section', { class: 'card' },
        h('h2', {}, 'Nhật ký thay đổi'),
        changes));
  }

  draw();
  await refreshLog();
  // New transactions show up by themselves while the page is open.
  timer = setInterval(() => { if (live()) refreshLog().catch(() => {}); }, 3000);
}

// showTeam is the workspace's team: who is on it with which role, links
// that invite co-workers, and × that takes someone off (and signs them out).
async function showTeam(live) {
  let team = (await api('GET', '/team')).items;
  if (!live()) return;
  const list = h('div', { id: 'team' });
  const out = h('p', { class: 'msg', role: 'alert', id: 'team-msg' });
  const fresh = h('div', { id: 'new-invite' });

  function draw() {
    list.replaceChildren(h('ul', { class: 'list' }, team.map((m) => {
      let remove = null;
      if (!me || m.user_id !== me.user.id) {
        remove = h('button', { type: 'button', class: 'remove', title: 'Xóa ' + m.name, 'aria-label': 'Xóa ' + m.name }, '×');
        remove.addEventListener('click', () => {
          if (!confirm(`Xóa ${m.name} khỏi nhóm? Họ sẽ bị đăng xuất ngay trên mọi thiết bị.`)) return;
          run(remove, out, async () => {
            await api('DELETE', '/team/' + m.user_id);
            team = (await api('GET', '/team')).items;
            say(out, `Đã xóa ${m.name} khỏi nhóm.`);
            draw();
          });
        });
      }
      return h('li', { class: 'row' },
        h('div', { class: 'grow' }, m.name, me && m.user_id === me.user.id ? h('span', { class: 'muted' }, ' (bạn)') : null),
        h('span', { class: 'badge on' }, roleText(m.role)),
        h('span', { class: 'muted' }, 'tham gia ' + formatTime(m.joined_at)), remove);
    })));
  }

  const role = h('select', { id: 'invite-role' },
    h('option', { value: 'manager' }, 'Quản lý: tài khoản ngân hàng, nguồn giao dịch, tích hợp, người nhận'),
    h('option', { value: 'viewer' }, 'Người xem: chỉ xem'));
  const create = h('button', { type: 'submit', id: 'create-invite' }, 'Tạo liên kết mời');
  const form = h('form', { class: 'inline-form', id: 'invite-form' }, h('label', { for: 'invite-role' }, 'Vai trò'), role, create);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(create, out, async () => {
      const inv = await api('POST', '/team/invites', { role: role.value });
      fresh.replaceChildren(h('div', { class: 'invite' },
        h('p', {}, `Gửi liên kết này cho người bạn muốn mời (vai trò ${roleText(role.value)}). ` +
          `Họ mở liên kết, đăng nhập bằng Zalo và vào nhóm. Liên kết dùng được một lần, đến ${formatHour(inv.expires_at)}.`),
        copyLine('Liên kết mời', inv.url, 'copy-invite-link', 'invite-link')));
    });
  });

  draw();
  app.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Trang chủ')),
    h('section', { class: 'card' },
      h('h1', {}, 'Nhóm'),
      h('p', {}, 'Chủ làm được mọi việc. Quản lý thiết lập tài khoản ngân hàng, nguồn giao dịch, tích hợp và người nhận, ' +
        'nhưng không quản lý khóa API và nhóm. Người xem chỉ xem.'),
      list, out),
    h('section', { class: 'card' },
      h('h2', {}, 'Mời đồng nghiệp'), form, fresh));
}

// showJoin accepts a team invite: signed in, at once; signed out (or here
// as an alert recipient), through "Đăng nhập bằng Zalo", which accepts it.
async function showJoin(code, live) {
  const card = (...children) => app.replaceChildren(h('section', { class: 'card narrow', id: 'join' }, h('h1', {}, 'Tham gia nhóm'), ...children));
  if (sessionStorage.getItem(KEY)) {
    return card(h('p', {}, 'Thẻ này đang dùng khóa API. Hãy đăng xuất rồi mở lại liên kết mời để đăng nhập bằng Zalo.'));
  }
  if (!me || me.role === 'member') {
    return card(h('p', {}, 'Bạn được mời vào nhóm của một workspace trên tingting. Đăng nhập bằng Zalo để tham gia.'),
      h('p', { class: 'actions' }, zaloSignIn('join-sign-in', code)));
  }
  try {
    const j = await api('POST', '/team/join', { code });
    me = await api('GET', '/me');
    if (!live()) return;
    drawAccount();
    const place = me.workspaces.find((w) => w.id === j.workspace_id);
    card(h('p', { class: 'msg ok' }, `Bạn đã vào nhóm của ${place ? place.name : 'workspace'} với vai trò ${roleText(j.role)}.`),
      h('p', {}, h('a', { class: 'button', href: '#/', id: 'joined-home' }, 'Về trang chủ')));
  } catch (e) {
    if (!live()) return;
    const why = e instanceof APIError && e.status === 404 ? 'Liên kết mời này không còn dùng được: đã được dùng, đã hết hạn hoặc không đúng. Hãy xin chủ workspace một liên kết mới.'
      : e instanceof APIError && e.status === 409 ? 'Bạn đã ở trong nhóm của workspace này rồi.' : errorText(e);
    card(h('p', { class: 'msg error' }, why), h('p', {}, h('a', { href: '#/' }, 'Về trang chủ')));
  }
}

// browserText names a browser by its user agent: "Chrome trên Android".
function browserText(ua) {
  const name = [['Edg/', 'Edge'], ['Zalo', 'Zalo'], ['Chrome/', 'Chrome'], ['Firefox/', 'Firefox'], ['Safari/', 'Safari']].find(([k]) => ua.includes(k));
  const os = [['Android', 'Android'], ['iPhone', 'iPhone'], ['iPad', 'iPad'], ['Windows', 'Windows'], ['Mac OS', 'macOS'], ['Linux', 'Linux']].find(([k]) => ua.includes(k));
  if (!name && !os) return ua || 'Trình duyệt không rõ';
  return (name ? name[1] : 'Trình duyệt') + (os ? ' trên ' + os[1] : '');
}

// showSessions is the person's signed-in browsers; any but this one can be
// signed out, one by one or all at once.
async function showSessions(live) {
  let sessions = (await api('GET', '/sessions')).items;
  if (!live()) return;
  const list = h('div', { id: 'sessions' });
  const out = h('p', { class: 'msg', role: 'alert', id: 'sessions-msg' });
  const others = () => sessions.filter((x) => !x.current);
  const all = h('button', { type: 'button', class: 'secondary', id: 'sign-out-others' }, 'Đăng xuất khỏi thiết bị khác');

  async function end(ids) {
    for (const id of ids) await api('DELETE', '/sessions/' + id);
    sessions = (await api('GET', '/sessions')).items;
    draw();
  }

  function draw() {
    all.disabled = others().length === 0;
    list.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['Thiết bị', 'Đăng nhập lúc', 'Dùng lần cuối', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, sessions.map((x) => {
        let action = h('span', { class: 'badge on' }, 'Thiết bị này');
        if (!x.current) {
          action = h('button', { type: 'button', class: 'link', title: 'Đăng xuất ' + browserText(x.user_agent) }, 'Đăng xuất');
          action.addEventListener('click', () => run(action, out, async () => {
            await end([x.id]);
            say(out, 'Đã đăng xuất thiết bị đó.');
          }));
        }
        return h('tr', { class: x.current ? 'current' : null },
          h('td', {}, browserText(x.user_agent)), h('td', {}, formatTime(x.created_at)), h('td', {}, formatTime(x.last_seen_at)), h('td', {}, action));
      }))));
  }

  all.addEventListener('click', () => {
    if (!confirm('Đăng xuất khỏi mọi thiết bị khác? Thiết bị này vẫn đăng nhập.')) return;
    run(all, out, async () => {
      const n = others().length;
      await end(others().map((x) => x.id));
      say(out, `Đã đăng xuất ${n} thiết bị khác.`);
    });
  });
  draw();
  app.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Trang chủ')),
    h('section', { class: 'card' },
      h('div', { class: 'head' }, h('h1', {}, 'Thiết bị đang đăng nhập'), all),
      h('p', { class: 'muted' }, 'Một thiết bị tự đăng xuất khi lâu không dùng. Nếu thấy thiết bị lạ, hãy đăng xuất nó.'),
      list, out));
}

// today is today's date in Vietnam, YYYY-MM-DD.
function today() {
  const d = inVietnam(new Date().toISOString());
  return `${d.getUTCFullYear()}-${two(d.getUTCMonth() + 1)}-${two(d.getUTCDate())}`;
}

// showMyAlerts is the alerts the person received, a day at a time, as
// they received them (a field hidden from them stays hidden).
async function showMyAlerts(live) {
  const day = h('input', { id: 'alerts-day', type: 'date', value: today(), max: today() });
  const list = h('div', { id: 'my-alerts' });
  const out = h('p', { class: 'msg', role: 'alert' });

  async function load() {
    const res = await api('GET', '/my/alerts?day=' + encodeURIComponent(day.value || today()));
    if (!live()) return;
    list.replaceChildren(res.items.length === 0 ? h('p', { class: 'muted' }, 'Không có thông báo nào trong ngày này.')
      : h('ul', { class: 'list' }, res.items.map((a) => h('li', { class: 'alert-item' },
        h('div', { class: 'muted' }, formatTime(a.sent_at) + ' · ' + a.integration.bank_accounts.join(', ')),
        h('pre', { class: 'preview' }, a.text)))));
  }
  day.addEventListener('change', () => run(null, out, load));
  await load();
  if (!live()) return;
  app.replaceChildren(h('section', { class: 'card' },
    h('div', { class: 'head' }, h('h1', {}, 'Thông báo của tôi'),
      h('label', { class: 'setting', for: 'alerts-day' }, 'Ngày', day)),
    h('p', { class: 'muted' }, 'Các tin biến động số dư Zalo OA đã gửi cho bạn, đúng như bạn nhận được.'),
    list, out));
}

const SCOPES = [
  ['ingest', 'Chỉ gửi giao dịch'],
  ['admin', 'Quản trị'],
];
const scopeText = (s) => (SCOPES.find(([v]) => v === s) || [s, s])[1];

// showKeys lists the workspace's API keys, makes new ones (shown once) and
// revokes them.
async function showKeys(live) {
  let keys = (await api('GET', '/api-keys')).items;
  if (!live()) return;
  const list = h('div', { id: 'api-keys' });
  const out = h('p', { class: 'msg', role: 'alert', id: 'keys-msg' });
  const fresh = h('div', { id: 'new-key' });

  async function reload() {
    keys = (await api('GET', '/api-keys')).items;
    if (live()) draw();
  }

  function draw() {
    list.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['Tên', 'Quyền', 'Tạo lúc', 'Dùng lần cuối', 'Trạng thái', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, keys.map((k) => {
        let revoke = null;
        if (!k.revoked_at) {
          revoke = h('button', { type: 'button', class: 'link revoke', title: 'Thu hồi ' + k.label }, 'Thu hồi');
          revoke.addEventListener('click', () => {
            if (!confirm(`Thu hồi khóa "${k.label}"? Mọi nơi đang dùng khóa này sẽ bị từ chối ngay, và không thể hoàn tác.`)) return;
            run(revoke, out, async () => {
              try {
                await api('DELETE', '/api-keys/' + k.id);
              } catch (e) {
                if (e instanceof APIError && e.status === 409) {
                  return say(out, 'Không thể thu hồi khóa quản trị cuối cùng của workspace: nếu thu hồi, ' +
                    'sẽ không còn khóa nào quản lý được workspace. Hãy tạo một khóa quản trị khác trước.', 'error');
                }
                throw e;
              }
              fresh.replaceChildren();
              say(out, `Đã thu hồi khóa "${k.label}".`);
              await reload();
            });
          });
        }
        return h('tr', { class: k.revoked_at ? 'revoked' : null },
          h('td', {}, k.label),
          h('td', {}, scopeText(k.scope)),
          h('td', {}, formatTime(k.created_at)),
          h('td', {}, k.last_used_at ? formatTime(k.last_used_at) : 'Chưa dùng'),
          h('td', {}, k.revoked_at ? 'Đã thu hồi ' + formatTime(k.revoked_at) : h('span', { class: 'badge on' }, 'Đang dùng')),
          h('td', {}, revoke));
      }))));
  }

  const label = h('input', { id: 'key-label', type: 'text', maxlength: 64, required: true, placeholder: 'VD: Máy bán hàng quầy 1' });
  const scope = h('select', { id: 'key-scope' }, SCOPES.map(([v, text]) => h('option', { value: v }, text)));
  const create = h('button', { type: 'submit', id: 'create-key' }, 'Tạo khóa');
  const form = h('form', { id: 'key-form' },
    h('div', { class: 'grid' },
      h('label', { for: 'key-label' }, 'Tên khóa'), label,
      h('label', { for: 'key-scope' }, 'Quyền'), scope),
    create);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const name = label.value.trim();
    if (!name) return say(out, 'Hãy đặt tên cho khóa để sau này biết nó dùng ở đâu.', 'error');
    run(create, out, async () => {
      const k = await api('POST', '/api-keys', { label: name, scope: scope.value });
      label.value = '';
      const copyButton = h('button', { type: 'button', class: 'secondary', id: 'copy-key' }, 'Sao chép');
      copyButton.addEventListener('click', () => copy(k.key, copyButton));
      fresh.replaceChildren(h('div', { class: 'invite' },
        h('p', {}, `Khóa mới "${k.label}" (${scopeText(k.scope)}):`),
        h('div', { class: 'copyline' }, h('code', { id: 'new-key-value' }, k.key), copyButton),
        h('p', { class: 'msg warn' }, 'Hãy sao chép và cất giữ khóa này ngay: khóa sẽ không được hiển thị lại. ' +
          'Nếu làm mất, hãy thu hồi nó và tạo khóa mới.')));
      await reload();
    });
  });

  const refresh = h('button', { type: 'button', class: 'link', id: 'refresh-keys' }, 'Làm mới');
  refresh.addEventListener('click', () => run(refresh, out, reload));

  // Temporal keeps tingting's data sealed; with this cookie (an admin key,
  // 8 hours), the Temporal web UI can show it decoded.
  const codecOut = h('p', { class: 'msg', role: 'alert' });
  const codec = h('button', { type: 'button', class: 'secondary', id: 'codec-session' }, 'Cho Temporal UI giải mã (8 giờ)');
  codec.addEventListener('click', () => run(codec, codecOut, async () => {
    const res = await fetch('/codec/session', { method: 'POST', headers: { Authorization: 'Bearer ' + sessionStorage.getItem(KEY) } });
    if (!res.ok) throw new APIError(res.status, res.status === 403 ? 'forbidden' : 'unauthorized', res.statusText);
    say(codecOut, 'Temporal UI trên trình duyệt này đã giải mã được dữ liệu của tingting trong 8 giờ.');
  }));

  draw();
  app.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Trang chủ')),
    h('section', { class: 'card' },
      h('h1', {}, 'Khóa API'),
      h('p', {}, 'Khóa quản trị dùng được mọi chức năng, kể cả trang này. Khóa chỉ gửi giao dịch chỉ gọi được ',
        h('code', {}, 'POST /v1/transactions'), ': hãy dùng nó cho máy bán hàng hay phần mềm kế toán gửi giao dịch tới tingting.'),
      h('h2', {}, 'Tạo khóa mới'), form, fresh,
      h('div', { class: 'head' }, h('h2', {}, 'Các khóa của workspace'), refresh), list, out),
    // The codec cookie is made from an admin key: for operators only.
    me ? null : h('section', { class: 'card' },
      h('h2', {}, 'Temporal UI'),
      h('p', {}, 'Dữ liệu tingting gửi vào Temporal được mã hóa. Với khóa quản trị, Temporal UI giải mã được dữ liệu của workspace này (không phải của workspace khác).'),
      h('p', { class: 'actions' }, codec), codecOut));
}

// What a Casso v1 source cannot do, said when one is made: its token is
// sent as it is with every webhook, and Casso v1 changes it only with the
// webhook itself.
const V1_WARNING = 'Casso v1 gửi mã bảo mật (secure-token) nguyên văn kèm mỗi webhook, không ký nội dung: ai thấy được một ' +
  'webhook (ví dụ trong nhật ký của một máy chủ trung gian) có thể giả giao dịch. Mã này không đổi được mà giữ nguyên địa chỉ: ' +
  'nếu mã bị lộ, hãy tạo nguồn mới (địa chỉ mới) với mã mới, khai báo lại webhook trên Casso, rồi xoá nguồn này. ' +
  'Nếu được, hãy dùng Casso webhook v2.';

// oaConnected says so when Zalo's OA consent sent the browser here
// (/?oa=connected; api/oa.go), whoever is signed in, if anyone, and drops
// the query so that a reload does not say it again.
function oaConnected() {
  if (new URLSearchParams(location.search).get('oa') !== 'connected') return;
  history.replaceState(null, '', location.pathname + location.hash);
  app.before(h('div', { class: 'banner' }, h('p', { class: 'msg ok', id: 'oa-connected', role: 'status' },
    h('strong', {}, 'Đã kết nối Zalo OA.'), ' tingting đã nhận quyền gửi tin của Zalo OA và sẽ gửi thông báo như bình thường.')));
}

oaConnected();

const PROVIDERS = [
  ['casso_v2', 'Casso (webhook v2)'],
  ['sepay', 'SePay'],
  ['casso_v1', 'Casso (webhook v1, cũ)'],
];
const providerText = (p) => (PROVIDERS.find(([v]) => v === p) || [p, p])[1];

// showSources lists the workspace's bank feeds — the URL to give each
// provider, when it was last heard from, what reading Casso back found —
// and makes new ones.
async function showSources(live) {
  let sources = (await api('GET', '/webhook-sources')).items;
  if (!live()) return;
  const list = h('div', { id: 'sources' });
  const out = h('p', { class: 'msg', role: 'alert', id: 'sources-msg' });

  async function reload() {
    sources = (await api('GET', '/webhook-sources')).items;
    if (live()) draw();
  }

  function source(s) {
    const copyButton = h('button', { type: 'button', class: 'secondary' }, 'Sao chép');
    copyButton.addEventListener('click', () => copy(s.url, copyButton));
    const lines = [
      h('div', { class: 'copyline' }, h('code', {}, s.url), copyButton),
      h('p', {}, s.last_webhook_at ? 'Lần cuối nhận webhook: ' + formatTime(s.last_webhook_at) + ' (' + ago(s.last_webhook_at) + ')'
        : 'Chưa nhận webhook nào: hãy dán URL trên vào ' + (s.provider === 'sepay' ? 'SePay' : 'Casso') + '.'),
    ];
    if (s.provider === 'sepay') {
      lines.push(h('p', { class: 'muted' }, 'Xác thực: ' + (s.auth === 'apikey' ? 'API key' : 'HMAC-SHA256')));
      return h('li', { class: 'source' }, h('strong', {}, providerText(s.provider)), ...lines);
    }
    const key = h('input', { type: 'password', autocomplete: 'off', placeholder: 'API key của Casso', size: 28 });
    const save = h('button', { type: 'button', class: 'secondary' }, s.has_casso_api_key ? 'Đổi API key' : 'Lưu API key');
    save.addEventListener('click', () => run(save, out, async () => {
      await api('PATCH', '/webhook-sources/' + s.id, { casso_api_key: key.value.trim() });
      say(out, key.value.trim() ? 'Đã lưu API key: tingting sẽ đọc lại giao dịch từ Casso.' : 'Đã xóa API key.');
      await reload();
    }));
    const sync = h('button', { type: 'button', disabled: !s.has_casso_api_key }, 'Đọc lại ngay');
    sync.addEventListener('click', () => run(sync, out, async () => {
      const w = await api('POST', `/webhook-sources/${s.id}/sync`);
      say(out, `Đang đọc lại giao dịch Casso từ ${w.from} đến ${w.to}; giao dịch nào webhook bỏ lỡ sẽ được ghi và báo.`);
    }));
    lines.push(h('p', {}, s.has_casso_api_key
      ? [s.last_sync_at ? 'Đọc lại lần cuối: ' + formatTime(s.last_sync_at) : 'Chưa đọc lại lần nào',
        ` · tìm lại được ${s.recovered_7d} giao dịch webhook bỏ lỡ trong 7 ngày qua`].join('')
      : 'Chưa có API key: giao dịch Casso không gửi được webhook sẽ không được đọc lại.'));
    if (s.sync_error) lines.push(h('p', { class: 'msg error' }, 'Casso từ chối API key (' + s.sync_error + '). Hãy tạo API key mới trên Casso và lưu lại ở đây.'));
    lines.push(h('p', { class: 'actions' }, key, save, sync));
    return h('li', { class: 'source' }, h('strong', {}, providerText(s.provider)), ...lines);
  }

  function draw() {
    list.replaceChildren(sources.length ? h('ul', { class: 'list' }, sources.map(source))
      : h('p', { class: 'muted' }, 'Chưa có nguồn nào.'));
  }

  const provider = h('select', { id: 'source-provider' }, PROVIDERS.map(([v, text]) => h('option', { value: v }, text)));
  const secret = h('input', { id: 'source-secret', type: 'password', autocomplete: 'off', required: true });
  const auth = h('select', { id: 'source-auth' }, h('option', { value: 'hmac' }, 'HMAC-SHA256'), h('option', { value: 'apikey' }, 'API key'));
  const cassoKey = h('input', { id: 'source-casso-key', type: 'password', autocomplete: 'off', placeholder: 'không bắt buộc' });
  const authRow = [h('label', { for: 'source-auth' }, 'Xác thực (SePay)'), auth];
  const keyRow = [h('label', { for: 'source-casso-key' }, 'API key của Casso (để đọc lại)'), cassoKey];
  const shown = () => {
    const sepay = provider.value === 'sepay';
    authRow.forEach((e) => { e.hidden = !sepay; });
    keyRow.forEach((e) => { e.hidden = sepay; });
  };
  provider.addEventListener('change', shown);
  shown();
  const create = h('button', { type: 'submit', id: 'create-source' }, 'Tạo nguồn');
  const form = h('form', { id: 'source-form' },
    h('div', { class: 'grid' },
      h('label', { for: 'source-provider' }, 'Nhà cung cấp'), provider,
      h('label', { for: 'source-secret' }, 'Khóa bí mật'), secret, ...authRow, ...keyRow),
    create);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    run(create, out, async () => {
      const body = { provider: provider.value, secret: secret.value.trim() };
      if (provider.value === 'sepay') body.auth = auth.value;
      else if (cassoKey.value.trim()) body.casso_api_key = cassoKey.value.trim();
      const s = await api('POST', '/webhook-sources', body);
      secret.value = cassoKey.value = '';
      say(out, `Đã tạo nguồn ${providerText(s.provider)}: dán URL của nó vào ${s.provider === 'sepay' ? 'SePay' : 'Casso'}.` +
        (s.provider === 'casso_v1' ? ' ' + V1_WARNING : ''));
      await reload();
    });
  });

  draw();
  app.replaceChildren(
    h('p', {}, h('a', { href: '#/' }, '← Các tích hợp')),
    h('section', { class: 'card' },
      h('h1', {}, 'Nguồn giao dịch'),
      h('p', {}, 'Casso hoặc SePay gửi giao dịch tới tingting qua webhook. Với API key của Casso, tingting còn đọc lại ' +
        'giao dịch định kỳ (mặc định mỗi 15 phút) để ghi nhận những giao dịch mà webhook bỏ lỡ.'),
      list, out),
    h('section', { class: 'card' }, h('h2', {}, 'Thêm nguồn'),
      h('p', { class: 'muted' }, 'Khóa bí mật là khóa Casso hoặc SePay hiển thị cho webhook. Khóa và API key được lưu mã hóa, không hiển thị lại.'),
      form));
}
window.addEventListener('hashchange', route);
route();
