// Offline-safe referral form: a draft stays on the phone while it is typed; a referral sent
// with no connection joins the device's queue (static/js/offline.js) with its own
// idempotency key and goes when the connection returns, so the volunteer can write the next
// one. No inline script (strict CSP); without this file the form still posts normally, and
// the server-side idempotency key makes a double submit create one referral.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-form]");
  if (!form || !window.fetch || !window.FormData) return;
  var queue = window.DoorstepQueue;
  var notice = document.querySelector("[data-offline-notice]");
  var storageKey = form.getAttribute("data-draft-key") || "doorstep-draft";
  var sending = false;
  // Django's JavaScript catalogue (jsi18n, loaded before this file) translates the notices;
  // without it they stay in Korean.
  var gettext = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };
  var MSG_WAITING = gettext("연결되면 자동으로 보냅니다. 작성한 내용은 이 휴대폰에 저장되어 있습니다.");
  var MSG_SENDING = gettext("보내는 중입니다…");
  var MSG_RESTORED = gettext("저장해 둔 작성 내용을 불러왔습니다.");

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function say(text) {
    if (queue && queue.list().length) { queue.say(text === MSG_WAITING ? "" : text); return; }
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = !text;
  }

  function newKey() {
    if (queue) return queue.newKey();
    return String(Date.now()) + Math.floor(Math.random() * 1e9).toString(16);
  }

  function keyField() { return form.querySelector("input[name=idempotency_key]"); }

  function draftOf() {
    var data = { fields: {} };
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.name === "csrfmiddlewaretoken" || el.type === "submit") return;
      if (el.type === "checkbox" || el.type === "radio") {
        if (!data.fields[el.name]) data.fields[el.name] = [];
        if (el.checked) data.fields[el.name].push(el.value);
      } else {
        data.fields[el.name] = [el.value];
      }
    });
    return data;
  }

  function save() {
    var store = storage();
    if (store) store.setItem(storageKey, JSON.stringify(draftOf()));
  }

  function clear() {
    var store = storage();
    if (store) store.removeItem(storageKey);
  }

  function restore(draft) {
    if (!draft || !draft.fields) return false;
    Array.prototype.forEach.call(form.elements, function (el) {
      var values = draft.fields[el.name];
      if (!el.name || el.name === "csrfmiddlewaretoken" || !values) return;
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else {
        el.value = values[0];
      }
    });
    return true;
  }

  function stored() {
    var store = storage();
    try { return JSON.parse((store && store.getItem(storageKey)) || "null"); } catch (e) { return null; }
  }

  // No connection: the referral waits in the queue and the form is fresh for the next one.
  function waitForNetwork() {
    if (!queue) { save(); say(MSG_WAITING); return; }
    queue.add("referral", form);
    clear();
    form.reset();
    keyField().value = newKey();
    say(MSG_WAITING);
  }

  function send() {
    if (sending) return;
    if (navigator.onLine === false) { waitForNetwork(); return; }
    sending = true;
    save();
    say(MSG_SENDING);
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      sending = false;
      if (response.ok && !(response.redirected && response.url.indexOf("/login/") !== -1)) {
        return response.json().then(function (body) {
          clear();
          window.location.assign(body.redirect || window.location.href);
        });
      }
      if (response.status >= 500 || response.status === 429 || response.redirected) {
        waitForNetwork();
        return;
      }
      // The server refused the input: post normally so it shows each field's message.
      save();
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      sending = false;
      waitForNetwork();
    });
  }

  if (queue) {
    queue.on("referral", {
      // Sent from the queue: on this page, go where the server says (내 의뢰).
      sent: function (entry, body) {
        if (!queue.list().length && body && body.redirect) window.location.assign(body.redirect);
      },
      // Refused (a field to fix): it comes back as the draft, to be posted normally.
      refused: function (entry) {
        var draft = { fields: {} };
        entry.fields.forEach(function (f) {
          (draft.fields[f[0]] = draft.fields[f[0]] || []).push(f[1]);
        });
        var store = storage();
        if (store) store.setItem(storageKey, JSON.stringify(draft));
        restore(draft);
        HTMLFormElement.prototype.submit.call(form);
      }
    });
  }
  var draft = stored();
  if (restore(draft)) say(MSG_RESTORED);
  // A fresh key per referral: the page may come from the offline copy, whose key was
  // already used; a restored draft keeps its own.
  if (keyField() && !(draft && draft.fields && draft.fields.idempotency_key &&
                      draft.fields.idempotency_key[0])) {
    keyField().value = newKey();
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
})();
