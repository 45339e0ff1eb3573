/* global document, location, window, URL, XMLHttpRequest, Request, Headers, MutationObserver */
// Bull Board's API calls (retry, clean, pause…) pass Passby's CSRF check like every form does:
// each state-changing same-origin request carries the session's token in X-CSRF-Token.
(function () {
  var meta = document.querySelector('meta[name="csrf-token"]');
  var token = meta && meta.getAttribute('content');
  if (!token) return;
  var safe = /^(GET|HEAD|OPTIONS)$/i;
  var sameOrigin = function (url) {
    try {
      return new URL(url, document.baseURI).origin === location.origin;
    } catch {
      return false;
    }
  };

  var open = XMLHttpRequest.prototype.open;
  var send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.open = function (method, url) {
    this.passbyCsrf = !safe.test(String(method)) && sameOrigin(String(url));
    return open.apply(this, arguments);
  };
  XMLHttpRequest.prototype.send = function () {
    if (this.passbyCsrf) this.setRequestHeader('X-CSRF-Token', token);
    return send.apply(this, arguments);
  };

  if (window.fetch) {
    var fetchOriginal = window.fetch;
    window.fetch = function (input, init) {
      var request = new Request(input, init);
      if (safe.test(request.method) || !sameOrigin(request.url)) return fetchOriginal.call(this, request);
      var headers = new Headers(request.headers);
      headers.set('X-CSRF-Token', token);
      return fetchOriginal.call(this, new Request(request, { headers: headers }));
    };
  }

  // Accessible names the board leaves out: its filter fields only have a placeholder, and the icons
  // inside its buttons and links have none (they are decoration: the control is what gets named).
  var label = function () {
    document.querySelectorAll('input[placeholder]:not([aria-label]):not([aria-labelledby])').forEach(function (input) {
      if (!input.id || !document.querySelector('label[for="' + input.id + '"]')) input.setAttribute('aria-label', input.getAttribute('placeholder'));
    });
    document.querySelectorAll('button svg:not([aria-hidden]):not([aria-label]), a svg:not([aria-hidden]):not([aria-label])').forEach(function (svg) {
      if (!svg.querySelector(':scope > title')) svg.setAttribute('aria-hidden', 'true');
    });
  };
  document.addEventListener('DOMContentLoaded', function () {
    label();
    new MutationObserver(label).observe(document.body, { childList: true, subtree: true });
  });
})();
