import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { barChart, escapeXml, lineChart, niceMax, tickIndexes } from '../../src/admin/analytics/charts.js';

const polylines = (svg: string): string[] => [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1] ?? '');

describe('admin SVG charts', () => {
  it('escapes every text it prints', () => {
    assert.equal(escapeXml(`<a href="x">&'`), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
    const svg = lineChart({ title: '<script>alert(1)</script>', labels: ['<b>'], series: [{ name: 'A & "B"', values: [1] }] });
    assert.doesNotMatch(svg, /<script>|<b>/);
    assert.match(svg, /<title>&#60;script&#62;/);
    assert.match(svg, /aria-label="&#60;script&#62;alert\(1\)&#60;\/script&#62;"/);
    assert.match(barChart({ title: 't', bars: [{ label: '1 < 2', value: 1 }] }), /1 &#60; 2/);
  });

  it('is an image with a title and a description for assistive technology', () => {
    const svg = barChart({ title: 'Dwell', description: 'Median 12 min', bars: [] });
    assert.match(svg, /^<svg [^>]*role="img" aria-label="Dwell"/);
    assert.match(svg, /<title>Dwell<\/title><desc>Median 12 min<\/desc>/);
  });

  it('draws one line per series, with a legend naming each when there are several', () => {
    const svg = lineChart({ title: 'Footfall', labels: ['09:00', '10:00', '11:00'], series: [{ name: 'Visitors', values: [0, 5, 10] }, { name: 'Passers-by', values: [10, 10, 0] }] });
    assert.equal(polylines(svg).length, 2);
    assert.match(svg, /<g class="legend">.*>Visitors<\/text>.*>Passers-by<\/text>/);
    // y axis 0..10 over a 196px plot from y=16: 0 sits at the bottom (212), 10 at the top (16).
    assert.deepEqual(polylines(svg)[0]?.split(' ').map((p) => p.split(',')[1]), ['212', '114', '16']);
    assert.doesNotMatch(lineChart({ title: 'One', labels: ['a', 'b'], series: [{ name: 'Only', values: [1, 2] }] }), /class="legend"/);
  });

  it('leaves gaps for missing values instead of drawing them as zero', () => {
    const svg = lineChart({ title: 'Capture', labels: ['a', 'b', 'c', 'd', 'e'], series: [{ name: 'Rate', values: [0.5, 0.25, null, null, 1] }], yMax: 1 });
    assert.equal(polylines(svg).length, 1, 'the first two points form a line');
    assert.equal((svg.match(/<circle /g) ?? []).length, 1, 'the lone last point is a dot');
  });

  it('puts bars in proportion to their values with the value printed', () => {
    const svg = barChart({ title: 'New vs repeat', bars: [{ label: 'New', value: 5 }, { label: 'Repeat', value: 10 }] });
    const heights = [...svg.matchAll(/<rect [^>]*height="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.deepEqual(heights, [98, 196]);
    assert.match(svg, />New<\/text>/);
    assert.match(svg, />10<\/text>/);
  });

  it('rounds axis tops to 1, 2 or 5 times a power of ten and spreads at most six x labels', () => {
    assert.deepEqual([0, 1, 3, 7, 10, 11, 180, 501].map((v) => niceMax(v)), [1, 1, 5, 10, 10, 20, 200, 1000]);
    assert.deepEqual(tickIndexes(3), [0, 1, 2]);
    assert.deepEqual(tickIndexes(24), [0, 5, 9, 14, 18, 23]);
    assert.deepEqual(tickIndexes(0), []);
  });
});
