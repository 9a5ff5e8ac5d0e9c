/* OneScreen page helpers: the connection state from the server's stream heartbeat, the wall's canvas, clock,
   stale marking, focus rotation, playlist turns and scheduled reload, and the language switch on every page.
   The state is "live" only while the server's push loop is really beating: a socket that is open but whose loop
   has stalled must not look live. Everything here runs on one 1-second timer and touches only what changed, so
   a wall running for weeks accumulates nothing. */
(function () {
  var LIVE_MS = 5000, OFFLINE_MS = 15000, RESTART_AFTER_MS = 6000;
  var lastBeat = 0, lastOk = false, lastRestart = 0;

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

  /* The push loop's watchdog: no beat for a while means the loop is gone or stranded on a socket the page no longer
     uses; bumping the restart store starts a fresh loop on the live socket (dashboards/_alert_push.py). A page that
     has had no beat at all by the first tick starts its loop then: Dash does not always start a persistent callback
     on load, and a wall must not wait RESTART_AFTER_MS to go live (bench/wall_load.py measured 7 s). */
  function watchdog(restarts) {
    var now = Date.now();
    if (now - Math.max(lastBeat, lastRestart) < RESTART_AFTER_MS) return window.dash_clientside.no_update;
    lastRestart = now;
    return (restarts || 0) + 1;
  }

  /* Dash starts a callback that has no output only with the first layout, never for components a callback
     (the pages router) adds later, so on a page the push loop would first start at the watchdog's first tick, 2 s
     after the page appears. The connection state names its page's restart store (data-push): it is bumped as soon
     as the page is on screen, once per page. */
  var pushStartedFor = null;

  function startPush() {
    var el = document.getElementById("connection-state");
    var store = el && el.getAttribute("data-push");
    if (!store || el === pushStartedFor || lastBeat || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    pushStartedFor = el;
    lastRestart = Date.now();
    window.dash_clientside.set_props(store, { data: 1 });
  }

  /* Extreme and severe alerts: a pop-up naming the level, a chime from assets/sounds, and for extreme ones a
     flashing border. Only the highest level open shows: a lower one never replaces it. The pop-up and its flash end
     after #alert-popup's data-seconds (a kiosk has no mouse), on the close button, and as soon as the alert is
     acknowledged anywhere (the push sends alert-popup-closed). Browsers refuse audio before a user gesture (unless
     the kiosk starts with --autoplay-policy=no-user-gesture-required): then a one-click "enable sound" button
     appears, and goes once sound plays. */
  var RANKS = { extreme: 0, severe: 1 };
  var shownPopup = null;  // {severity, alert, group, until} of the pop-up on screen

  function soundButton(hidden) {
    var button = document.getElementById("sound-enable");
    if (button && button.hidden !== hidden) window.dash_clientside.set_props("sound-enable", { hidden: hidden });
  }

  function chime() {
    var audio = document.getElementById("alert-sound");
    if (!audio || !audio.play || !audio.paused) return;  // one chime at a time, however fast alerts arrive
    var played = audio.play();
    if (played && played.then) {
      played.then(function () { soundButton(true); }, function () { soundButton(false); });
    }
  }

  /* The flashing border is a class on the wall's root set here, not through Dash: a className output on the root
     would make React re-render the whole wall (maps and charts included) for every urgent alert. */
  function flash(on) {
    var root = document.getElementById("wall-root");
    if (root) root.classList.toggle("flash-extreme", !!on);
  }

  function closePopup() {
    shownPopup = null;
    flash(false);
    return "alert-popup";
  }

  function popup(data, closed, _close, _enable) {
    var no = window.dash_clientside.no_update;
    var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
    if (trigger.indexOf("sound-enable") === 0) {
      soundButton(true);
      chime();
      return [no, no];
    }
    if (trigger.indexOf("alert-popup-closed") === 0) {
      var done = shownPopup && closed && ((closed.alerts || []).indexOf(shownPopup.alert) >= 0
                                          || (closed.groups || []).indexOf(shownPopup.group) >= 0);
      return done ? [closePopup(), no] : [no, no];
    }
    if (trigger.indexOf("alert-popup-close") === 0 || !data) return [closePopup(), no];
    if (shownPopup && RANKS[data.severity] > RANKS[shownPopup.severity]) return [no, no];
    var box = document.getElementById("alert-popup");
    var seconds = parseFloat(box && box.getAttribute("data-seconds")) || 30;
    shownPopup = { severity: data.severity, alert: data.alert, group: data.group, until: Date.now() + seconds * 1000 };
    chime();
    flash(data.severity === "extreme");
    var text = data.level + " · " + data.time + " " + data.headline + (data.count > 1 ? " ×" + data.count : "");
    return ["alert-popup is-open severity-" + data.severity, text];
  }

  function expirePopup(now) {
    if (!shownPopup || now < shownPopup.until || !window.dash_clientside || !window.dash_clientside.set_props) return;
    window.dash_clientside.set_props("alert-popup", { className: closePopup() });
  }

  /* The canvas: #wall-root is WIDTHxHEIGHT design pixels (data-width, data-height); scale it to the screen.
     fit: uniform, centred; fill: each axis to the screen; width: uniform to the width, cut at the bottom. */
  var fittedRoot = null;

  function fitCanvas() {
    var root = document.getElementById("wall-root");
    if (!root) return false;
    var w = +root.getAttribute("data-width") || 1920, h = +root.getAttribute("data-height") || 1080;
    var vw = document.documentElement.clientWidth || window.innerWidth;
    var vh = document.documentElement.clientHeight || window.innerHeight;
    var sx = vw / w, sy = vh / h, mode = root.getAttribute("data-fit");
    if (mode === "width") sy = sx;
    else if (mode !== "fill") sx = sy = Math.min(sx, sy);
    var x = Math.max(0, Math.round((vw - w * sx) / 2)), y = Math.max(0, Math.round((vh - h * sy) / 2));
    root.style.transform = "translate(" + x + "px, " + y + "px) scale(" + sx + ", " + sy + ")";
    fittedRoot = root;
    if (root !== scheduledRoot) scheduleReload(root);
    return true;
  }

  /* Date and clock in the display zone, as dashboards/_present.local_date writes them. */
  var WEEKDAYS_ZH = { Mon: "一", Tue: "二", Wed: "三", Thu: "四", Fri: "五", Sat: "六", Sun: "日" };
  var MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var clockFormat = null, clockZone = null;

  function paintClock() {
    var el = document.getElementById("wall-clock");
    if (!el || el.children.length < 2) return;
    var zone = el.getAttribute("data-zone") || "Asia/Shanghai";
    if (zone !== clockZone) {
      clockZone = zone;
      clockFormat = new Intl.DateTimeFormat("en-US", { timeZone: zone, hourCycle: "h23", weekday: "short",
        year: "numeric", month: "numeric", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
    }
    var p = {};
    clockFormat.formatToParts(new Date()).forEach(function (part) { p[part.type] = part.value; });
    var lang = (document.getElementById("wall-root") || document.documentElement).getAttribute("lang");
    var date = lang === "en" ? p.weekday + " " + p.day + " " + MONTHS_EN[p.month - 1] + " " + p.year
      : p.year + "年" + p.month + "月" + p.day + "日 星期" + WEEKDAYS_ZH[p.weekday];
    var time = p.hour + ":" + p.minute + ":" + p.second;
    if (el.children[0].textContent !== date) el.children[0].textContent = date;
    el.children[1].textContent = time;
  }

  /* Freshness: a panel whose as-of stamp (time.panel-as-of, components/panel.py) is older than twice its cadence
     is marked stale, labelled with the data-stale-label of its page's root (the label in the page's language). Its
     refresh timer is switched back on then, in case an answer was lost while the timer was held off
     (components/panel.while_refreshing). While the wall's push is lost (the connection state is not live: no beat
     for LIVE_MS, or none yet FIRST_BEAT_MS after load) nothing on it is live, so the wall root takes .is-offline
     (its banner shows) and every panel on it is marked stale at once, not only when its stamp grows old. */
  var FIRST_BEAT_MS = 15000, loadedAt = Date.now();

  function pushLost(now) {
    return stateNow() !== "live" && (lastBeat > 0 || now - loadedAt > FIRST_BEAT_MS);
  }

  function stampIsOld(stamp, now) {
    if (!stamp) return false;
    var cadence = parseFloat(stamp.getAttribute("data-cadence")) || 60;
    var at = Date.parse(stamp.getAttribute("datetime") || "");
    return !(at > 0) || now - at > 2 * cadence * 1000;
  }

  function markStale(now) {
    var root = document.getElementById("wall-root");
    var offline = !!root && pushLost(now);
    if (root && root.classList.contains("is-offline") !== offline) root.classList.toggle("is-offline", offline);
    var timers = " " + (root && root.getAttribute("data-timers") || "") + " ";
    var sections = document.querySelectorAll(".panel");
    for (var i = 0; i < sections.length; i++) {
      var section = sections[i];
      var stamp = section.querySelector("time.panel-as-of[data-cadence]");
      var old = stampIsOld(stamp, now);
      var stale = old || (offline && root.contains(section));
      if (stale === section.classList.contains("is-stale")) continue;
      section.classList.toggle("is-stale", stale);
      var head = section.querySelector(".panel-head"), labelled = section.closest("[data-stale-label]");
      if (head) head.setAttribute("data-stale-label", labelled ? labelled.getAttribute("data-stale-label") : "stale");
      var timer = section.id.replace(/^panel-/, "") + "-refresh";
      if (old && timers.indexOf(" " + timer + " ") >= 0 && window.dash_clientside && window.dash_clientside.set_props) {
        window.dash_clientside.set_props(timer, { disabled: false });
      }
    }
  }

  /* The focus panel turns on the clock (every screen of a tiled wall shows the same topic), client-side only: the
     tab and slide of the topic shown carry .is-active, however many topics there are. Checked on every tick, so
     slides a refresh has re-drawn get their mark back at once. */
  function rotateFocus(now) {
    var rotor = document.getElementById("focus-rotor");
    if (!rotor) return;
    var seconds = parseFloat(rotor.getAttribute("data-rotate")) || 15;
    var tabs = rotor.querySelectorAll(".focus-tab"), slides = rotor.querySelectorAll(".focus-slide");
    var active = Math.floor(now / 1000 / seconds) % (tabs.length || 1);
    [tabs, slides].forEach(function (items) {
      for (var i = 0; i < items.length; i++) {
        if (items[i].classList.contains("is-active") !== (i === active)) items[i].classList.toggle("is-active");
      }
    });
    if (rotor.getAttribute("data-active") !== String(active)) rotor.setAttribute("data-active", String(active));
  }

  /* A playlist (#wall-root data-playlist: its screens, data-seconds each) turns on the wall clock, like the focus
     panel, so every tile and browser of a wall switches at the same moment. The screen due is named in the
     wall-screen store; the server answers with its panels (dashboards/_wall_screens.py). Asked again after 10 s if
     the answer has not landed. */
  var asked = null, askedAt = 0;

  function turnPlaylist(now) {
    var root = document.getElementById("wall-root");
    var names = ((root && root.getAttribute("data-playlist")) || "").split(" ").filter(Boolean);
    var seconds = root && parseFloat(root.getAttribute("data-seconds"));
    if (names.length < 2 || !seconds || !window.dash_clientside || !window.dash_clientside.set_props) return;
    var due = names[Math.floor(now / 1000 / seconds) % names.length];
    var shown = document.querySelector("#wall-screen-body .wall-screen");
    if (!shown || shown.getAttribute("data-screen") === due) return;
    if (asked === due && now - askedAt < 10000) return;
    asked = due;
    askedAt = now;
    window.dash_clientside.set_props("wall-screen", { data: due });
  }

  /* Scheduled soft reload (data-reload: "720" = every 720 minutes, "04:00" = daily at 04:00 on the screen's
     clock), only once /readyz answers, so a wall never reloads into an error page. */
  var scheduledRoot = null, reloadAt = 0, reloading = false;

  function scheduleReload(root) {
    scheduledRoot = root;
    var spec = root.getAttribute("data-reload") || "";
    var now = new Date();
    reloadAt = 0;
    if (/^\d+$/.test(spec)) reloadAt = now.getTime() + Number(spec) * 60000;
    else if (/^\d\d:\d\d$/.test(spec)) {
      var at = new Date(now.getTime());
      at.setHours(Number(spec.slice(0, 2)), Number(spec.slice(3)), 0, 0);
      if (at.getTime() <= now.getTime() + 60000) at.setDate(at.getDate() + 1);
      reloadAt = at.getTime();
    }
  }

  function softReload(now) {
    if (!reloadAt || reloading || now < reloadAt) return;
    reloading = true;
    fetch("/readyz", { cache: "no-store" }).then(function (answer) {
      if (answer.ok) { window.location.reload(); return; }
      throw new Error("not ready");
    }).catch(function () { reloading = false; reloadAt = Date.now() + 30000; });
  }

  /* Language: a link of .lang-switch keeps the rest of the address and is remembered in a cookie; an address
     without ?lang= takes the remembered one before Dash reads the address (this script runs first). */
  var LANG_COOKIE = "onescreen_lang";

  function rememberedLang() {
    var found = document.cookie.match(/(?:^|;\s*)onescreen_lang=(zh-CN|en)(?:;|$)/);
    return found ? found[1] : null;
  }

  function withLang(lang) {
    var url = new URL(window.location.href);
    url.searchParams.set("lang", lang);
    return url.toString();
  }

  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest(".lang-switch a[data-lang]");
    if (!link) return;
    event.preventDefault();
    var lang = link.getAttribute("data-lang");
    document.cookie = LANG_COOKIE + "=" + lang + "; path=/; max-age=31536000; SameSite=Lax";
    window.location.assign(withLang(lang));
  });

  (function applyRememberedLang() {
    var lang = rememberedLang();
    if (lang && !new URL(window.location.href).searchParams.has("lang")) {
      window.history.replaceState(window.history.state, "", withLang(lang));
    }
  })();

  function tick() {
    var now = Date.now();
    startPush();
    paintState();
    if (document.getElementById("wall-root") !== fittedRoot) fitCanvas();
    paintClock();
    markStale(now);
    rotateFocus(now);
    expirePopup(now);
    turnPlaylist(now);
    softReload(now);
  }

  /* Until the wall first renders, fit it on every frame so it never shows unscaled; then on resize and each tick. */
  (function firstFit(frames) {
    if (fitCanvas()) { tick(); return; }
    if (frames > 0) window.requestAnimationFrame(function () { firstFit(frames - 1); });
  })(600);
  window.addEventListener("resize", fitCanvas);

  window.onescreen = { heartbeat: heartbeat, stateNow: stateNow, watchdog: watchdog, popup: popup };
  setInterval(tick, 1000);
})();
