/* global document, window, getComputedStyle -- it runs in the page, in Chromium */
// What test/report/browser.test.ts reads from the HTML report in Chromium: an expression run in
// the page (plain JS, because the project's TypeScript has no DOM types).
(() => {
  const box = (e) => e.getBoundingClientRect();
  const centre = (e) => box(e).top + box(e).height / 2;
  const charts = [...document.querySelectorAll('svg.chart')];
  const cy = charts[0];
  const th = box(cy.querySelector('g.threshold line.th'));
  const alert = cy.querySelector('rect.alert');
  const worst = [...document.querySelectorAll('table')].find(
    (t) => t.caption?.textContent === 'Worst minutes',
  );
  return {
    charts: charts.length,
    metrics: charts.map((c) => c.getAttribute('data-metric')),
    chartWidths: charts.map((c) => box(c).width),
    points: cy.querySelectorAll('.pt').length,
    over: cy.querySelectorAll('.pt.over').length,
    // Squares drawn above the 300 ms line, dots below it: the geometry of the chart.
    overAbove: [...cy.querySelectorAll('.pt.over')].every((p) => centre(p) < th.top),
    restBelow: [...cy.querySelectorAll('.pt:not(.over)')].every((p) => centre(p) > th.top),
    thresholdWidth: th.width,
    seriesLength: cy.querySelector('path.series').getTotalLength(),
    alertWidth: box(alert).width,
    alertFill: getComputedStyle(alert).fill,
    hatchDefined: document.getElementById('qw-hatch') !== null,
    chartName: cy
      .getAttribute('aria-labelledby')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent ?? '')
      .join(' | '),
    tickHeight: box(cy.querySelector('text.tick')).height,
    worstRows: worst ? worst.tBodies[0].rows.length : 0,
    worstFirst: worst ? worst.tBodies[0].rows[0].textContent : '',
    worstVisible: worst ? box(worst).height > 100 : false,
    headings: [...document.querySelectorAll('section.participant h2')].map((e) => e.textContent),
    title: document.title,
    markup: document.querySelectorAll('script, iframe, img, object, embed').length,
    pageWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  };
})();
