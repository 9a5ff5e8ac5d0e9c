/* OneScreen page helpers: the connection state from the server's stream heartbeat, and the wall clock.
   The state is "live" only while the server's push loop is really beating: a socket that is open but whose loop
   has stalled must not look live. */
(function () {
  var LIVE_MS = 5000, OFFLINE_MS = 15000;
  var lastBeat = 0, lastOk = false;

  function heartbeat(beat) {
    lastBeat = Date.now();
    lastOk = !!(beat && beat.ok);
    paintState();
    return lastBeat;
  }

  function stateNow() {
    var age = Date.now() - lastBeat;
    if (lastBeat && lastOk && age < LIVE_MS) return "live";
    if (!lastBeat || age < OFFLINE_MS) return "reconnecting";
    return "offline";
  }

  function paintState() {
    var el = document.getElementById("connection-state");
    if (!el) return;
    var state = stateNow();
    if (el.getAttribute("data-state") !== state) {
      el.setAttribute("data-state", state);
      el.textContent = el.getAttribute("data-" + state) || state;
    }
  }

  function paintClock() {
    var el = document.getElementById("wall-clock");
    if (!el) return;
    var zone = el.getAttribute("data-zone") || "Asia/Shanghai";
    var lang = (document.querySelector(".wall") || document.documentElement).getAttribute("lang") || "zh-CN";
    el.textContent = new Date().toLocaleString(lang === "en" ? "en-GB" : "zh-CN", {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
      weekday: "short", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
  }

  window.onescreen = { heartbeat: heartbeat, stateNow: stateNow };
  setInterval(function () { paintState(); paintClock(); }, 1000);
})();
