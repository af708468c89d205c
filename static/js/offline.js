// The installable web app on the device: registers the service worker (/sw.js), keeps the
// queue of forms sent with no connection (localStorage, each with its idempotency key),
// sends it when the connection returns, and says how many are waiting. Signing out empties
// the queue and the offline copies. No inline script (strict CSP); without this file every
// form still posts normally.
(function () {
  "use strict";
  var STORE = "doorstep-draft-queue";
  var me = document.currentScript;
  var gettext = typeof window.gettext === "function" ? window.gettext : function (s) { return s; };
  var interpolate = typeof window.interpolate === "function" ? window.interpolate
    : function (fmt, args) { return fmt.replace("%s", args[0]); };
  var handlers = {};   // kind → {sent: fn(entry, body), conflict: fn(entry, body)}
  var flushing = false;
  var timer = null;

  function storage() { try { return window.localStorage; } catch (e) { return null; } }

  function list() {
    var store = storage();
    try { return JSON.parse((store && store.getItem(STORE)) || "[]") || []; } catch (e) { return []; }
  }

  function write(items) {
    var store = storage();
    if (!store) return;
    if (items.length) store.setItem(STORE, JSON.stringify(items));
    else store.removeItem(STORE);
    say();
  }

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var s = "";
    for (var i = 0; i < 32; i++) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }

  function fieldsOf(form) {
    var out = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || el.type === "submit" || el.type === "button") return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      out.push([el.name, el.value]);
    });
    return out;
  }

  function notice() {
    var el = document.querySelector("[data-offline-notice]") ||
      document.querySelector("[data-queue-notice]");
    if (!el) {
      var main = document.getElementById("main");
      if (!main) return null;
      el = document.createElement("p");
      el.className = "offline-notice";
      el.setAttribute("role", "status");
      el.setAttribute("data-queue-notice", "");
      main.insertBefore(el, main.firstChild);
    }
    return el;
  }

  function say(extra) {
    var el = notice();
    if (!el) return;
    var n = list().length;
    var text = n ? interpolate(gettext("보내기를 기다리는 기록 %s건이 이 휴대폰에 있습니다."), [n]) + " " +
      gettext("연결되면 자동으로 보냅니다.") : "";
    if (extra) text = text ? text + " " + extra : extra;
    el.textContent = text;
    el.hidden = !text;
  }

  function add(kind, form, label, given) {
    var items = list();
    var fields = given || fieldsOf(form);
    var keyed = fields.some(function (f) { return f[0] === "idempotency_key" && f[1]; });
    if (!keyed) fields.push(["idempotency_key", newKey()]);
    items.push({ id: newKey(), kind: kind, url: form.action || window.location.href,
                 fields: fields, label: label || "", made: new Date().toISOString() });
    write(items);
    schedule();
    return items.length;
  }

  function post(entry) {
    var body = new FormData();
    entry.fields.forEach(function (f) { body.append(f[0], f[1]); });
    return fetch(entry.url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    });
  }

  function drop(id) { write(list().filter(function (e) { return e.id !== id; })); }

  // One at a time, oldest first; stop at the first network failure and try again later.
  function flush() {
    if (flushing || navigator.onLine === false) return Promise.resolve();
    var entry = list().filter(function (e) { return !e.refused; })[0];
    if (!entry) { stop(); return Promise.resolve(); }
    flushing = true;
    say(gettext("보내는 중입니다…"));
    return post(entry).then(function (response) {
      flushing = false;
      if (response.redirected && response.url.indexOf("/login/") !== -1) {
        say(gettext("다시 로그인하면 보냅니다."));
        return null;
      }
      var handler = handlers[entry.kind] || {};
      if (response.status === 409 && handler.conflict) {
        return response.json().then(function (body) { drop(entry.id); handler.conflict(entry, body); });
      }
      if (response.status >= 500 || response.status === 429) { schedule(); return null; }
      if (!response.ok && !handler.refused) {
        // Refused (a field to fix) away from its form: kept until its page opens.
        write(list().map(function (e) { if (e.id === entry.id) e.refused = true; return e; }));
        return flush();
      }
      drop(entry.id);
      var parse = (response.headers.get("Content-Type") || "").indexOf("json") !== -1
        ? response.json() : Promise.resolve({});
      return parse.then(function (body) {
        if (response.ok) { if (handler.sent) handler.sent(entry, body); }
        else handler.refused(entry, body);
        return flush();
      });
    }).catch(function () { flushing = false; say(); schedule(); });
  }

  function schedule() {
    if (!timer) timer = window.setInterval(function () { if (navigator.onLine !== false) flush(); }, 5000);
  }

  function stop() { if (timer) window.clearInterval(timer); timer = null; }

  // Any form marked data-offline-queue="kind" goes through the queue when it cannot be sent.
  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function submitOrQueue(form, kind) {
    // When it was done, by this phone's clock (a queued form may be sent hours later).
    var done = form.querySelector("input[name=done_at]");
    if (done && !done.value) {
      var d = new Date();
      done.value = d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) +
        "T" + pad(d.getHours()) + ":" + pad(d.getMinutes());
    }
    var fields = fieldsOf(form).filter(function (f) { return f[0] !== "idempotency_key"; });
    fields.push(["idempotency_key", newKey()]);   // the same key if it has to wait
    function wait() { add(kind, form, "", fields); form.reset(); if (done) done.value = ""; }
    if (navigator.onLine === false) { wait(); return; }
    var entry = { url: form.action || window.location.href, fields: fields };
    post(entry).then(function (response) {
      if (response.status >= 500 || response.status === 429) { wait(); return; }
      if (response.ok && (response.headers.get("Content-Type") || "").indexOf("json") !== -1) {
        return response.json().then(function (body) {
          window.location.assign(body.redirect || window.location.href);
        });
      }
      HTMLFormElement.prototype.submit.call(form);   // let the page show the field errors
    }).catch(wait);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form.getAttribute && form.getAttribute("data-offline-queue");
    if (!kind || !window.fetch) return;
    event.preventDefault();
    submitOrQueue(form, kind);
  });

  // Signing out takes the queue and the offline copies off the device (the server also
  // sends Clear-Site-Data; this covers browsers that ignore it).
  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("form[data-sign-out]")) return;
    var store = storage();
    if (store) Object.keys(store).filter(function (k) { return k.indexOf("doorstep-") === 0; })
      .forEach(function (k) { store.removeItem(k); });
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage({ type: "sign-out" });
    }
  });

  window.DoorstepQueue = {
    add: add, list: list, flush: flush, say: say, newKey: newKey,
    on: function (kind, handler) {
      handlers[kind] = handler;
      // Entries refused while their page was closed come back to it now.
      var refused = list().filter(function (e) { return e.kind === kind && e.refused; });
      if (refused.length && handler.refused) {
        write(list().filter(function (e) { return e.id !== refused[0].id; }));
        handler.refused(refused[0], {});
      }
    }
  };

  if (me && me.getAttribute("data-sw") && navigator.serviceWorker) {
    navigator.serviceWorker.register(me.getAttribute("data-sw"), { scope: "/" }).catch(function () {});
  }
  window.addEventListener("online", function () { flush(); });
  window.addEventListener("offline", function () { say(); });
  // After every deferred script (a page's own handlers register with DoorstepQueue.on).
  document.addEventListener("DOMContentLoaded", function () {
    // Forms of this page that queue: a refused entry is dropped with a word to re-enter it.
    document.querySelectorAll("form[data-offline-queue]").forEach(function (form) {
      var kind = form.getAttribute("data-offline-queue");
      if (!handlers[kind]) {
        handlers[kind] = { refused: function () {
          window.setTimeout(function () { say(gettext("보내지 못한 기록이 있습니다. 다시 입력해 주세요.")); }, 0);
        } };
      }
    });
    say();
    if (list().length) { schedule(); flush(); }
  });
})();
