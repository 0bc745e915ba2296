// tingting's web UI: the setup wizard, the integration pages and the API
// keys page, in plain JavaScript. Screens are chosen by the URL's hash (#/,
// #/wizard/ID, #/integrations/ID, #/keys, #/sources) and built with the DOM API: text
// from the API is never parsed as HTML. Every call goes to the JSON API under /v1 with the
// workspace's API key, which lives in sessionStorage (this tab only).
'use strict';

const KEY = 'tingting.apiKey';
const app = document.getElementById('app');
const signOut = document.getElementById('sign-out');

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
  const init = { method, headers: { Authorization: 'Bearer ' + sessionStorage.getItem(KEY) } };
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
  unauthorized: 'Khóa API không đúng hoặc đã bị thu hồi. Hãy đăng nhập lại.',
  forbidden: 'Khóa API này chỉ dùng để gửi giao dịch, không mở được trang quản lý. ' +
    'Hãy đăng nhập bằng khóa quản trị.',
  not_found: 'Không tìm thấy mục này: có thể nó đã bị xóa hoặc thuộc workspace khác.',
  not_following: 'Tài khoản Zalo này chưa Quan tâm Zalo OA nên chưa nhận được tin nhắn. ' +
    'Mở Zalo, tìm Zalo OA và nhấn "Quan tâm", rồi bấm "Gọi thử" lại.',
  step_out_of_order: 'Hãy làm lần lượt từng bước: chọn tài khoản ngân hàng, tài khoản Zalo, ' +
    'dữ liệu gửi kèm, gọi thử thành công rồi mới lưu.',
  wizard_closed: 'Phiên thiết lập này đã kết thúc. Hãy tạo tích hợp mới.',
  login_failed: 'Đăng nhập bằng Zalo không thành công. Hãy đăng nhập lại.',
  unknown_bank_account: 'Có tài khoản ngân hàng không thuộc workspace này. Tải lại trang rồi chọn lại.',
  conflict: 'Mục này đã tồn tại.',
  no_api_key: 'Nguồn này chưa có API key của Casso nên chưa đọc lại được: hãy nhập API key trước.',
  too_large: 'Dữ liệu gửi lên quá lớn.',
  unavailable: 'Hệ thống đang tạm thời không phản hồi. Vui lòng thử lại sau ít phút.',
  internal: 'Có lỗi ở phía máy chủ, lỗi đã được ghi lại. Vui lòng thử lại.',
};

// What Zalo's own error codes mean, for a refused test call.
const ZALO_ERRORS = {
  '-32': 'gửi quá nhanh, hãy thử lại sau ít phút',
  '-211': 'Zalo OA đã hết hạn mức gửi tin',
  '-213': 'người nhận chưa Quan tâm Zalo OA',
  '-216': 'quyền gửi tin của Zalo OA đã hết hạn',
  '-217': 'người nhận đã chặn Zalo OA',
  '-220': 'quyền gửi tin của Zalo OA đã hết hạn',
  '-230': 'người nhận chưa tương tác với Zalo OA trong 7 ngày qua',
  '-232': 'người nhận chưa tương tác với Zalo OA trong 7 ngày qua',
  '-234': 'từ 22:00 đến 06:00 Zalo không nhận tin giao dịch. Hãy nhắn một tin bất kỳ cho Zalo OA ' +
    '(để mở khung chat tư vấn) rồi bấm "Gọi thử" lại',
};

function zaloRefusal(code) {
  const why = ZALO_ERRORS[String(code)];
  return 'Zalo từ chối tin nhắn' + (why ? ': ' + why : '') + (code ? ` (mã lỗi ${code}).` : '.');
}

// What a refused value should have been, by the field the API's 400
// message starts with ("daily_summary_at: …").
const INVALID = {
  silence_alert_hours: 'Số giờ không có giao dịch phải là số nguyên từ 0 đến 720 (30 ngày). Để trống hoặc 0 là tắt.',
  daily_summary_at: 'Giờ gửi tổng kết phải có dạng giờ:phút, từ 00:00 đến 23:59 (giờ Việt Nam), ví dụ 21:00. Để trống là tắt.',
  hidden_fields: 'Chỉ ẩn được thời gian, tài khoản, tài khoản ảo, nội dung, mã thanh toán, số dư, mã tham chiếu và tài khoản đối ứng; số tiền luôn được gửi.',
  secret: 'Khóa bí mật dài 8 đến 256 ký tự, đúng như Casso hoặc SePay hiển thị.',
  casso_api_key: 'API key của Casso dài 8 đến 256 ký tự, không có dấu cách, đúng như Casso hiển thị.',
};

function errorText(e) {
  if (!(e instanceof APIError)) return 'Có lỗi không mong muốn: ' + e.message;
  if (e.code === 'zalo_refused') return zaloRefusal(e.zaloCode);
  if (e.code === 'invalid_request') return INVALID[e.message.split(':')[0]] || 'Dữ liệu chưa hợp lệ (' + e.message + ').';
  return ERRORS[e.code] || e.message || `Lỗi ${e.status}.`;
}

// Why a delivery was skipped or failed (its last_error), in plain words.
const REASONS = {
  not_following: 'người nhận chưa Quan tâm OA',
  blocked: 'người nhận đã chặn OA',
  no_interaction: 'người nhận không tương tác với OA trong 7 ngày',
  member_removed: 'đã bị xóa khỏi danh sách nhận',
  integration_paused: 'tích hợp đang tạm dừng',
  integration_deleted: 'tích hợp đã bị xóa',
  unreachable: 'không còn cách gửi nào tới người này (đã lâu không tương tác, và chưa có mẫu ZNS)',
};
const STATUSES = {
  sent: 'Đã gửi', pending: 'Đang gửi', failed: 'Không gửi được', skipped: 'Bỏ qua', deferred: 'Chờ đến sáng',
};

// Which kind of Zalo message carried a delivery (its route), for the log's
// column and for sentences ("đã gửi bằng tin giao dịch").
const ROUTES = { cs: 'Tư vấn', transaction: 'Giao dịch', zns: 'ZNS', template: 'Mẫu ZBS' };
const ROUTE_NAMES = { cs: 'tin nhắn tư vấn', transaction: 'tin giao dịch', zns: 'tin ZNS', template: 'tin mẫu ZBS' };

// Why Zalo refused a route before the next one carried the message (a
// sent delivery's note: "cs refused (-230)").
const REFUSALS = {
  '-213': 'người nhận chưa Quan tâm OA',
  '-230': 'quá 7 ngày không tương tác',
  '-232': 'quá 7 ngày không tương tác',
};

// How the OA reaches a person now (reachable_by).
const REACH = {
  cs: 'Nhận qua tin nhắn tư vấn (đã tương tác trong 48 giờ)',
  transaction: 'Nhận qua tin giao dịch (không gửi 22:00–06:00; tin trong đêm được gộp gửi lúc 06:00)',
  zns: 'Nhận qua ZNS (tính phí)',
  none: 'Không gửi được: người này chưa Quan tâm OA hoặc đã lâu không tương tác; nhờ họ nhắn một tin cho OA',
};

function statusText(d) {
  if (d.status === 'deferred' && d.deferred_until) return 'Chờ đến ' + formatHour(d.deferred_until);
  return STATUSES[d.status] || d.status;
}

// noteText is a delivery's last_error in plain words: why it was skipped
// or failed, or which routes Zalo refused before the one that carried it.
function noteText(d) {
  const text = d.last_error || '';
  const reason = REASONS[text.split(':')[0]];
  if (reason) return reason;
  const refused = [...text.matchAll(/\b(cs|transaction|zns) refused \((-?\d+)\)/g)];
  if (refused.length && (d.status === 'sent' || d.status === 'deferred')) {
    const which = refused.map(([, rt, code]) => `${ROUTE_NAMES[rt]} (${REFUSALS[code] || 'mã lỗi ' + code})`).join(', ');
    return `Zalo từ chối ${which} — ${d.status === 'sent' ? 'đã' : 'sẽ'} gửi bằng ${ROUTE_NAMES[d.route] || d.route}`;
  }
  if (!text && d.status === 'deferred') return 'Ban đêm Zalo không nhận tin giao dịch; sẽ gộp vào tin buổi sáng';
  return text;
}

// reachLine says how the OA reaches a recipient now, and when they last
// interacted with it.
function reachLine(p) {
  return h('div', { class: p.reachable_by === 'none' ? 'reach none' : 'reach' },
    REACH[p.reachable_by] || p.reachable_by, ' · tương tác lần cuối: ', ago(p.last_interaction_at));
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

async function route() {
  const mine = ++shown;
  clearInterval(timer);
  const key = sessionStorage.getItem(KEY);
  signOut.hidden = !key;
  if (!key) return showSignIn();
  const [page, id] = location.hash.replace(/^#\/?/, '').split('/');
  const live = () => mine === shown;
  try {
    if (page === 'wizard' && id) await showWizard(id, live);
    else if (page === 'integrations' && id) await showIntegration(id, live);
    else if (page === 'keys') await showKeys(live);
    else if (page === 'sources') await showSources(live);
    else await showHome(live);
  } catch (e) {
    if (!live()) return;
    if (e instanceof APIError && (e.status === 401 || e.status === 403)) return showSignIn(errorText(e));
    app.replaceChildren(h('section', { class: 'card' },
      h('p', { class: 'msg error' }, errorText(e)),
      h('p', {}, h('a', { href: '#/' }, 'Về trang chủ'))));
  }
}

function showSignIn(problem) {
  sessionStorage.removeItem(KEY);
  signOut.hidden = true;
  const input = h('input', { id: 'api-key', type: 'password', autocomplete: 'off', placeholder: 'tt_…', required: true });
  const out = h('p', { class: problem ? 'msg error' : 'msg', role: 'alert' }, problem || '');
  const button = h('button', { type: 'submit' }, 'Đăng nhập');
  const form = h('form', { class: 'card narrow', id: 'sign-in' },
    h('h1', {}, 'Đăng nhập'),
    h('p', {}, 'Nhập khóa API của workspace (bắt đầu bằng tt_). Khóa chỉ được giữ trong thẻ trình duyệt này.'),
    h('label', { for: 'api-key' }, 'Khóa API'), input, button, out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const key = input.value.trim();
    if (!key.startsWith('tt_')) return say(out, 'Khóa API bắt đầu bằng tt_.', 'error');
    run(button, out, async () => {
      sessionStorage.setItem(KEY, key);
      try {
        await api('GET', '/integrations'); // is the key good?
      } catch (e) {
        sessionStorage.removeItem(KEY);
        throw e;
      }
      route();
    });
  });
  app.replaceChildren(form);
  input.focus();
}

async function showHome(live) {
  const [integrations, banks] = await Promise.all([api('GET', '/integrations'), api('GET', '/bank-accounts')]);
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
  app.replaceChildren(h('section', { class: 'card' },
    h('div', { class: 'head' }, h('h1', {}, 'Các tích hợp Zalo OA'), create),
    rows.length ? h('ul', { class: 'list', id: 'integrations' }, rows)
      : h('p', { class: 'muted', id: 'integrations' }, 'Chưa có tích hợp nào. Tạo tích hợp để nhận thông báo biến động số dư qua Zalo.'),
    out),
  h('p', {}, h('a', { href: '#/sources', id: 'sources-link' }, 'Nguồn giao dịch (Casso, SePay)'), ' · ',
    h('a', { href: '#/keys', id: 'keys-link' }, 'Quản lý khóa API')));
}

function statusBadge(status) {
  return status === 'active' ? h('span', { class: 'badge on' }, 'Đang hoạt động')
    : h('span', { class: 'badge off' }, 'Tạm dừng');
}

// What the test call's route means for the alerts to come.
const TEST_HINTS = {
  transaction: ' Thông báo từ 22:00 đến 06:00 sẽ được gộp gửi lúc 06:00.',
  zns: ' Tin ZNS có tính phí.',
};

const STEPS = ['bank_accounts', 'zalo_account', 'fields', 'test_call', 'save'];

async function showWizard(id, live) {
  const [first, banks, accounts] = await Promise.all([
    api('GET', '/wizards/' + id), api('GET', '/bank-accounts'), api('GET', '/zalo-accounts')]);
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
      out);
  }

  function testStep() {
    const out = h('p', { class: 'msg', role: 'alert', id: 'test-result' });
    const tc = st.test_call;
    if (tc && tc.ok) {
      const by = ROUTE_NAMES[tc.route] ? ' qua ' + ROUTE_NAMES[tc.route] : '';
      say(out, `Gọi thử thành công. Đã gửi tin thử${by} tới Zalo của ${st.zalo_account.name}.` + (TEST_HINTS[tc.route] || ''));
    }
    else if (tc && !tc.ok) say(out, zaloRefusal(tc.zalo_code), 'error');
    const button = h('button', { type: 'button', id: 'test-call' }, 'Gọi thử');
    button.addEventListener('click', () => run(button, out, async () => {
      await api('POST', base + '/test-call');
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

async function showIntegration(id, live) {
  const base = '/integrations/' + id;
  const [first, banks] = await Promise.all([api('GET', base), api('GET', '/bank-accounts')]);
  if (!live()) return;
  let integ = first;
  const bankByID = new Map(banks.items.map((b) => [b.id, b]));
  const log = h('div', { id: 'deliveries' });
  const logOut = h('p', { class: 'msg', role: 'alert' });

  // Names by OA user id; a member removed since stays known on this page.
  const names = new Map();
  function learnNames() {
    for (const m of integ.members) names.set(m.oa_user_id, m.name);
    if (integ.owner.oa_user_id) names.set(integ.owner.oa_user_id, integ.owner.name);
  }

  async function refreshLog() {
    const res = await api('GET', base + '/deliveries?limit=50');
    if (!live()) return;
    learnNames();
    log.replaceChildren(res.items.length === 0 ? h('p', { class: 'muted' }, 'Chưa có tin nhắn nào.')
      : h('table', {},
        h('thead', {}, h('tr', {}, ['Thời gian giao dịch', 'Mã giao dịch', 'Số tiền', 'Người nhận', 'Gửi qua', 'Trạng thái', 'Ghi chú'].map((t) => h('th', {}, t)))),
        h('tbody', {}, res.items.map((d) => {
          let again = null;
          if (d.status === 'failed' || d.status === 'skipped') {
            again = h('button', { type: 'button', class: 'link resend' }, 'Gửi lại');
            again.addEventListener('click', () => run(again, logOut, async () => {
              await api('POST', `${base}/deliveries/${d.id}/retry`);
              await refreshLog();
            }));
          }
          return h('tr', { class: 'status-' + d.status },
            h('td', {}, formatTime(d.occurred_at)),
            h('td', { class: 'nowrap' }, d.external_id),
            h('td', { class: 'num' }, formatVND(d.amount)),
            h('td', {}, d.role === 'owner' ? (names.get(d.recipient) || 'Chủ tích hợp') + ' (chủ tích hợp)'
              : names.get(d.recipient) || 'Thành viên đã bị xóa'),
            h('td', { class: 'nowrap' }, d.route ? ROUTES[d.route] || d.route : ''),
            h('td', { class: 'status' }, statusText(d)),
            h('td', {}, noteText(d), again ? ' ' : '', again));
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
      return h('li', { class: 'row' }, h('div', { class: 'grow' }, m.name, reachLine(m), privacy(m)),
        h('span', { class: 'muted' }, 'tham gia ' + formatTime(m.added_at)), remove);
    });
    // The ZNS template: set (a template Zalo approved) or cleared.
    const znsOut = h('p', { class: 'msg', role: 'alert' });
    const setTemplate = (button, value) => run(button, znsOut, async () => {
      integ = await api('PATCH', base, { template_id: value });
      draw();
    });
    function znsForm() {
      const input = h('input', { id: 'template-id', type: 'text', maxlength: 64, value: integ.template_id, placeholder: 'VD: 245601' });
      const save = h('button', { type: 'submit', id: 'save-template' }, 'Lưu mẫu ZNS');
      const clear = integ.template_id ? h('button', { type: 'button', class: 'secondary', id: 'clear-template' }, 'Bỏ mẫu ZNS') : null;
      if (clear) clear.addEventListener('click', () => setTemplate(clear, ''));
      const form = h('form', { id: 'template-form', class: 'inline-form' },
        h('label', { for: 'template-id' }, 'Mã mẫu ZNS (đã được Zalo duyệt)'), input, save, clear);
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const value = input.value.trim();
        if (!value) return say(znsOut, 'Hãy nhập mã mẫu ZNS, hoặc bấm "Bỏ mẫu ZNS" để không dùng ZNS nữa.', 'error');
        setTemplate(save, value);
      });
      return form;
    }
    const reload = h('button', { type: 'button', class: 'link', id: 'refresh-log' }, 'Làm mới');
    reload.addEventListener('click', () => run(reload, logOut, refreshLog));
    app.replaceChildren(
      h('p', {}, h('a', { href: '#/' }, '← Các tích hợp')),
      h('div', { class: 'cols' }, h('section', { class: 'card' },
        h('div', { class: 'head' }, h('h1', {}, 'Tích hợp Zalo OA'), h('span', { id: 'status' }, statusBadge(integ.status))),
        h('dl', {},
          h('dt', {}, 'Chủ tích hợp'), h('dd', {}, integ.owner.name),
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
        h('ul', { class: 'list', id: 'members' },
          h('li', { class: 'row', id: 'owner' }, h('div', { class: 'grow' }, integ.owner.name, reachLine(integ.owner)),
            h('span', { class: 'muted' }, 'chủ tích hợp · thấy mọi dữ liệu')),
          members),
        members.length ? null : h('p', { class: 'muted' }, 'Chưa có ai khác tham gia.'),
        h('h2', {}, 'Tin ZNS (tính phí)'),
        h('p', {}, 'ZNS là tin nhắn mẫu Zalo tính phí theo từng tin, gửi được tới cả những người mà tin tư vấn ' +
          'và tin giao dịch miễn phí không tới được.'),
        h('p', { id: 'template-state' }, integ.template_id ? ['Đang dùng mẫu ZNS ', h('strong', {}, integ.template_id), '.']
          : 'Chưa có mẫu ZNS.'),
        znsForm(), znsOut),
      h('section', { class: 'card', id: 'owner-alerts' },
        h('h2', {}, 'Báo cho chủ tích hợp'),
        h('p', {}, `Ngoài tin biến động số dư, ${integ.owner.name} có thể nhận qua Zalo OA:`),
        alertsForm()),
      h('section', { class: 'card' },
        h('div', { class: 'head' }, h('h2', {}, 'Nhật ký gửi tin'), reload),
        log, logOut));
  }

  draw();
  await refreshLog();
  // New transactions show up by themselves while the page is open.
  timer = setInterval(() => { if (live()) refreshLog().catch(() => {}); }, 3000);
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
    h('p', {}, h('a', { href: '#/' }, '← Các tích hợp')),
    h('section', { class: 'card' },
      h('h1', {}, 'Khóa API'),
      h('p', {}, 'Khóa quản trị dùng được mọi chức năng, kể cả trang này. Khóa chỉ gửi giao dịch chỉ gọi được ',
        h('code', {}, 'POST /v1/transactions'), ': hãy dùng nó cho máy bán hàng hay phần mềm kế toán gửi giao dịch tới tingting.'),
      h('h2', {}, 'Tạo khóa mới'), form, fresh,
      h('div', { class: 'head' }, h('h2', {}, 'Các khóa của workspace'), refresh), list, out),
    h('section', { class: 'card' },
      h('h2', {}, 'Temporal UI'),
      h('p', {}, 'Dữ liệu tingting gửi vào Temporal được mã hóa. Người vận hành có khóa quản trị có thể cho Temporal UI giải mã để xem.'),
      h('p', { class: 'actions' }, codec), codecOut));
}

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
      say(out, `Đã tạo nguồn ${providerText(s.provider)}: dán URL của nó vào ${s.provider === 'sepay' ? 'SePay' : 'Casso'}.`);
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

// Signing out draws the sign-in form once: by the navigation to #/ when
// there is one (drawing it here too would draw it again under the
// person typing into it), else here.
signOut.addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  if (location.hash && location.hash !== '#/') location.hash = '#/';
  else showSignIn();
});
window.addEventListener('hashchange', route);
route();
