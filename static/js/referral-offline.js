// Offline-safe referral form: the draft stays on the phone until the server confirms it.
// No inline script (strict CSP); without this file the form still posts normally, and the
// server-side idempotency key makes a double submit create one referral.
(function () {
  "use strict";
  var form = document.querySelector("form[data-offline-form]");
  if (!form || !window.fetch || !window.FormData) return;
  var notice = document.querySelector("[data-offline-notice]");
  var storageKey = form.getAttribute("data-draft-key") || "doorstep-draft";
  var sending = false;
  var pending = false;
  var retryTimer = null;
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
    if (!notice) return;
    notice.textContent = text;
    notice.hidden = !text;
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }

  function keyField() { return form.querySelector("input[name=idempotency_key]"); }

  function draftOf() {
    var data = { fields: {}, pending: pending };
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

  function restore() {
    var store = storage();
    var raw = store && store.getItem(storageKey);
    if (!raw) return false;
    var draft;
    try { draft = JSON.parse(raw); } catch (e) { return false; }
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
    pending = !!draft.pending;
    return true;
  }

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = window.setInterval(function () {
      if (navigator.onLine !== false) send();
    }, 5000);
  }

  function stopRetry() {
    if (retryTimer) window.clearInterval(retryTimer);
    retryTimer = null;
  }

  function waitForNetwork() {
    pending = true;
    save();
    say(MSG_WAITING);
    scheduleRetry();
  }

  function send() {
    if (sending) return;
    if (navigator.onLine === false) { waitForNetwork(); return; }
    sending = true;
    pending = true;
    save();
    say(MSG_SENDING);
    fetch(form.action || window.location.href, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      sending = false;
      if (response.ok) {
        return response.json().then(function (body) {
          pending = false;
          stopRetry();
          clear();
          window.location.assign(body.redirect || window.location.href);
        });
      }
      if (response.status >= 500 || response.status === 429) { waitForNetwork(); return; }
      // The server refused the input: post normally so it shows each field's message.
      pending = false;
      stopRetry();
      save();
      HTMLFormElement.prototype.submit.call(form);
    }).catch(function () {
      sending = false;
      waitForNetwork();
    });
  }

  if (restore()) {
    say(pending ? MSG_WAITING : MSG_RESTORED);
  }
  // A fresh key per draft; a resend of the same draft reuses it (one referral).
  var store = storage();
  if (keyField() && (!keyField().value || !(store && store.getItem(storageKey)))) {
    keyField().value = keyField().value || newKey();
  }

  form.addEventListener("input", save);
  form.addEventListener("change", save);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    send();
  });
  window.addEventListener("online", function () { if (pending) send(); });
  window.addEventListener("offline", function () { if (pending) say(MSG_WAITING); });
  if (pending) send();
})();
