/* <html lang> of every Dash page. Dash serves one index page per app, written with the deployment's language;
   the address's ?lang= (where onescreen.js, loaded before this, has already put a remembered choice) says which
   language this page is in, so screen readers read it in that language. Kept in step as pages change in place. */
(function () {
  "use strict";
  function markLang() {
    var lang = new URL(window.location.href).searchParams.get("lang");
    if (lang === "zh-CN" || lang === "en") document.documentElement.lang = lang;
  }
  markLang();
  window.addEventListener("popstate", markLang);
  window.addEventListener("_dashprivate_pushstate", markLang);
})();
