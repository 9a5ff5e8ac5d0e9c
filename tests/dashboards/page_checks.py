"""What a person needs of every page, checked in the browser: axe-core's accessibility rules (shipped here, version
in vendor/axe.min.js, so no network) and Chinese text drawn with the shipped font, not a fallback's boxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")

_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(r => done(r.violations.filter(v => ['serious', 'critical'].includes(v.impact)).map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n')[1])}))))
  .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""

# Every element that holds Chinese text directly: its computed face must name the shipped font (the kiosk has no
# system CJK font, so any other face draws boxes), and that face must be loaded for its very characters.
_UNDRAWN_CJK = """
const done = arguments[arguments.length - 1];
document.fonts.ready.then(async () => {
  const cjk = /[\\u3400-\\u9fff\\uff00-\\uffef\\u3000-\\u303f]/;
  const owners = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || !cjk.test(text) || !node.parentElement) continue;
    const el = node.parentElement;
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;  // not drawn at all (a hidden panel, a closed dropdown)
    owners.set(el, (owners.get(el) || '') + text);
  }
  const bad = [];
  for (const [el, text] of owners) {
    const style = getComputedStyle(el);
    const font = `${style.fontStyle} ${style.fontWeight} 16px "Noto Sans SC"`;
    const named = /Noto Sans SC/.test(style.fontFamily);
    if (named) { try { await document.fonts.load(font, text); } catch (e) {} }
    if (!named || !document.fonts.check(font, text)) {
      bad.push({tag: el.tagName.toLowerCase(), id: el.id || el.closest('[id]')?.id || '',
                text: text.slice(0, 30), family: style.fontFamily});
    }
  }
  done(bad.slice(0, 20));
});
"""


def axe_violations(driver: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    driver.set_script_timeout(60)
    if not driver.execute_script("return typeof window.axe !== 'undefined';"):
        driver.execute_script(AXE)
    return list(driver.execute_async_script(_RUN_AXE))


def undrawn_cjk(driver: Any) -> list[dict[str, str]]:
    """The elements whose Chinese text is not drawn with the shipped Noto Sans SC (empty when every one is)."""
    driver.set_script_timeout(60)
    return list(driver.execute_async_script(_UNDRAWN_CJK))
