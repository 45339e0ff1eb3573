import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countsToCsv, parseCountsCsv, templateCsv } from '../../src/admin/analytics/calibration-csv.js';
import { barAxisMax, barChart, escapeXml, lineChart, niceMax, tickIndexes } from '../../src/admin/analytics/charts.js';
import { cellFill, matrixChart, shortLabel } from '../../src/admin/analytics/matrix-chart.js';

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

  it('gives whole counts an even axis top, so no gridline reads half a visit', () => {
    assert.equal(barAxisMax([{ label: 'a', value: 0 }]), 2);
    assert.equal(barAxisMax([{ label: 'a', value: 4 }]), 6);
    assert.equal(barAxisMax([{ label: 'a', value: 37 }]), 50);
    assert.equal(barAxisMax([{ label: 'a', value: 0.4 }]), 1, 'fractions keep the nice top');
    assert.match(barChart({ title: 'Returns', bars: [{ label: 'a', value: 0 }] }), />1<\/text>.*>2<\/text>/);
  });

  it('rounds axis tops to 1, 2 or 5 times a power of ten and spreads at most six x labels', () => {
    assert.deepEqual([0, 1, 3, 7, 10, 11, 180, 501].map((v) => niceMax(v)), [1, 1, 5, 10, 10, 20, 200, 1000]);
    assert.deepEqual(tickIndexes(3), [0, 1, 2]);
    assert.deepEqual(tickIndexes(24), [0, 5, 9, 14, 18, 23]);
    assert.deepEqual(tickIndexes(0), []);
  });
});

describe('admin matrix chart', () => {
  const cells = (svg: string): string[] => [...svg.matchAll(/<rect class="cell[^"]*" [^>]*fill="([^"]+)"/g)].map((m) => m[1] ?? '');

  it('draws one shaded cell per pair, darkest at the maximum, and an empty cell for null', () => {
    const svg = matrixChart({ title: 'Routes', rows: ['A', 'B'], columns: ['A', 'B'], values: [[null, 4], [2, null]], axes: { rows: 'From', columns: 'To' } });
    assert.match(svg, /^<svg [^>]*role="img" aria-label="Routes"><title>Routes<\/title>/);
    assert.deepEqual(cells(svg), ['#ffffff', cellFill(4, 4), cellFill(2, 4), '#ffffff']);
    assert.equal((svg.match(/class="cell empty"/g) ?? []).length, 2);
    assert.match(svg, />4<\/text>.*>2<\/text>/);
    assert.match(svg, />To →<\/text>.*>From ↓<\/text>/);
    assert.match(svg, /viewBox="0 0 720 136"/, 'a 48px header, two 40px rows and a margin');
  });

  it('shades from the lightest to a blue that keeps dark text readable', () => {
    assert.equal(cellFill(0, 10), '#f4f8fc');
    assert.equal(cellFill(10, 10), '#5b9bd5');
    assert.equal(cellFill(50, 10), '#5b9bd5', 'values above the maximum stay at the darkest');
    assert.equal(cellFill(3, 0), '#f4f8fc', 'an all-zero matrix is all light');
  });

  it('escapes labels and shortens long ones (the data table has them in full)', () => {
    assert.equal(shortLabel('Short'), 'Short');
    assert.equal(shortLabel('A very long venue name indeed', 10), 'A very lo…');
    const svg = matrixChart({ title: 'x', rows: ['<b>'], columns: ['R & D'], values: [[1]], formatValue: (v) => `${String(v)}%` });
    assert.doesNotMatch(svg, /<b>/);
    assert.match(svg, /R &#38; D/);
    assert.match(svg, />1%<\/text>/);
  });
});

describe('manual counts CSV', () => {
  const tz = 'Europe/London';
  const at = (local: string): number => Date.parse(`${local.replace(' ', 'T')}:00+01:00`) / 1000;

  it('reads start,end,count rows in the venue time zone, in any column order', () => {
    const parsed = parseCountsCsv('\uFEFFcount;start;end\n31;2026-05-04 09:00;2026-05-04 09:15\n\n40;2026-05-04 09:15;2026-05-04 09:30\n12.5;2026-05-04 10:00;2026-05-04 10:15\n', tz);
    assert.ok(parsed.ok, JSON.stringify(parsed));
    assert.equal(parsed.intervalSeconds, 900);
    assert.deepEqual(parsed.counts, [{ start: at('2026-05-04 09:00'), count: 31 }, { start: at('2026-05-04 09:15'), count: 40 }, { start: at('2026-05-04 10:00'), count: 12.5 }]);
    assert.deepEqual(parsed.lines, [2, 4, 5]);
  });

  it('names the line of every bad row', () => {
    const parsed = parseCountsCsv('start,end,count\nnoon,2026-05-04 09:15,1\n2026-05-04 09:15,2026-05-04 09:00,1\n2026-05-04 09:30,2026-05-04 09:45,\n2026-05-04 09:45,2026-05-04 10:00,-2', tz);
    assert.deepEqual(parsed.ok ? [] : parsed.errors, [
      'Line 2: the start "noon" is not a time like 2026-05-04 09:00.',
      'Line 3: the end must be after the start.',
      'Line 4: the count is missing.',
      'Line 5: the count "-2" is not a number of people (0 or more).',
    ]);
  });

  it('wants a header, three rows, one interval length and no overlaps', () => {
    const problems = (text: string): string[] => {
      const parsed = parseCountsCsv(text, tz);
      return parsed.ok ? [] : parsed.errors;
    };
    assert.deepEqual(problems('  \n'), ['Paste the counts, or choose a CSV file.']);
    assert.deepEqual(problems('2026-05-04 09:00,2026-05-04 09:15,3'), ['Line 1: the first line must name the columns: start,end,count.']);
    assert.deepEqual(problems('start,end,count\n2026-05-04 09:00,2026-05-04 09:15,3'), ['At least 3 counted intervals are needed for a fit; there is 1.']);
    const rows = (...r: string[]): string => ['start,end,count', ...r].join('\n');
    assert.deepEqual(problems(rows('2026-05-04 09:00,2026-05-04 09:15,3', '2026-05-04 09:15,2026-05-04 09:25,3', '2026-05-04 09:30,2026-05-04 09:45,3')), [
      'Line 3: covers 10 min, but line 2 covers 15 min: every row must cover the same length of time.',
    ]);
    assert.deepEqual(problems(rows('2026-05-04 09:00,2026-05-04 09:15,3', '2026-05-04 09:30,2026-05-04 09:45,3', '2026-05-04 09:10,2026-05-04 09:25,3')), [
      'Line 4: overlaps line 2 (the same time counted twice).',
    ]);
    assert.deepEqual(problems(rows('2026-05-04 09:00,2026-05-04 09:00:30,3', '2026-05-04 09:01,2026-05-04 09:01:30,3', '2026-05-04 09:02,2026-05-04 09:02:30,3')), [
      'Line 2: an interval must last from 1 minute to 1 day, this one lasts 30 s.',
    ]);
    const many = rows(...Array.from({ length: 14 }, () => 'x,y,z'));
    assert.equal(problems(many).length, 11);
    assert.equal(problems(many)[10], '…and 4 more problems.');
  });

  it('writes stored counts back in the same format, and a template with blank counts', () => {
    const text = countsToCsv([{ start: at('2026-05-04 09:15'), count: 4 }, { start: at('2026-05-04 09:00'), count: 3 }], 900, tz);
    assert.equal(text, 'start,end,count\r\n2026-05-04 09:00,2026-05-04 09:15,3\r\n2026-05-04 09:15,2026-05-04 09:30,4\r\n');
    assert.equal(templateCsv(new Date('2026-05-04T08:20:00Z'), tz), 'start,end,count\r\n2026-05-04 08:15,2026-05-04 08:30,\r\n2026-05-04 08:30,2026-05-04 08:45,\r\n2026-05-04 08:45,2026-05-04 09:00,\r\n2026-05-04 09:00,2026-05-04 09:15,\r\n');
  });
});
