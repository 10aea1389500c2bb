/// The inline style sheet of the report page: screen, narrow screens and print.
enum ReportStyle {
    static let css = """
        :root { --ink: #1d2733; --muted: #5b6878; --line: #d8dee6; --soft: #f4f6f9; --accent: #0b6e4f;
          --demand: #1f5fa8; --supply: #d9731a; --clear: #c62828; --volume: #7aa6d6; --price: #c2561a;
          --traded: #3f7fc1; --shared: #2e9e6a; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
          sans-serif; color: var(--ink); background: #fff; }
        main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
        header.page { border-bottom: 3px solid var(--accent); padding-bottom: 14px; margin-bottom: 18px; }
        header.page .kicker { color: var(--accent); font-weight: 600; letter-spacing: .06em; text-transform: uppercase;
          font-size: 12px; margin: 0; }
        h1 { font-size: 28px; margin: 2px 0 4px; line-height: 1.2; }
        h1 .session { font-weight: 400; color: var(--muted); font-size: 18px; display: block; margin-top: 2px; }
        h2 { font-size: 20px; margin: 34px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        h3 { font-size: 16px; margin: 18px 0 6px; }
        p.note, .caption { color: var(--muted); font-size: 13px; margin: 4px 0 10px; }
        dl.meta { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 6px 18px;
          margin: 12px 0 0; }
        dl.meta div { min-width: 0; }
        dl.meta dt { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
        dl.meta dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
        .mono, dl.meta dd.mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
          font-size: 13px; }
        .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px;
          margin: 16px 0 4px; }
        .kpi { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; }
        .kpi .k { font-size: 12px; color: var(--muted); }
        .kpi .v { font-size: 19px; font-weight: 650; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
        .kpi .u { font-size: 12px; color: var(--muted); font-weight: 400; }
        nav.toc { font-size: 13px; margin: 10px 0 0; }
        nav.toc a { color: var(--accent); margin-right: 14px; text-decoration: none; }
        figure { margin: 8px 0 14px; }
        figure.large { max-width: 860px; }
        svg.chart { display: block; width: 100%; height: auto; background: #fff; }
        svg .lbl { font-size: 12px; fill: #3a4654; }
        svg .lbl-s { font-size: 11px; fill: #3a4654; }
        svg .axis-title { font-size: 13px; fill: var(--ink); font-weight: 600; }
        svg .axis-line { stroke: #6b7785; stroke-width: 1; }
        svg .grid { stroke: #e6eaef; stroke-width: 1; }
        svg .guide { stroke: var(--clear); stroke-width: 1; stroke-dasharray: 4 3; }
        svg .curve { fill: none; stroke-width: 2.5; stroke-linejoin: miter; }
        svg .chart-small .curve { stroke-width: 1.8; }
        svg .demand { stroke: var(--demand); }
        svg .supply { stroke: var(--supply); }
        svg .hover { stroke: transparent; stroke-width: 10; }
        svg .clear-pt { fill: var(--clear); stroke: #fff; stroke-width: 1.5; }
        svg .clear-lbl { fill: var(--clear); font-weight: 600; }
        svg .empty-lbl { fill: var(--muted); font-style: italic; font-size: 14px; }
        svg .note { fill: var(--muted); }
        svg .sw-demand { fill: var(--demand); } svg .sw-supply { fill: var(--supply); }
        svg .sw-clear { fill: var(--clear); }
        svg .bar-volume, svg .sw-volume { fill: var(--volume); }
        svg .price-line { fill: none; stroke: var(--price); stroke-width: 2; }
        svg .price-pt, svg .sw-price { fill: var(--price); }
        svg .bar-traded, svg .sw-traded { fill: var(--traded); }
        svg .bar-shared, svg .sw-shared { fill: var(--shared); }
        .multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 10px; }
        .multiples figure { margin: 0; border: 1px solid var(--line); border-radius: 6px; padding: 6px 6px 2px;
          break-inside: avoid; }
        .multiples figure.selected { border-color: var(--clear); box-shadow: 0 0 0 1px var(--clear) inset; }
        .multiples figcaption { font-size: 12px; color: var(--muted); display: flex; justify-content: space-between;
          gap: 6px; flex-wrap: wrap; }
        .multiples figcaption b { color: var(--ink); }
        .table-wrap { overflow-x: auto; margin: 6px 0 16px; }
        table { border-collapse: collapse; font-size: 13px; font-variant-numeric: tabular-nums; min-width: 50%; }
        caption { text-align: left; font-weight: 600; padding: 4px 0 6px; color: var(--ink); }
        th, td { padding: 5px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top;
          white-space: nowrap; }
        thead th { background: var(--soft); font-size: 12px; color: #334; border-bottom: 2px solid #c5ced9;
          white-space: normal; vertical-align: bottom; min-width: 4.5em; }
        td.num, th.num { text-align: right; }
        td.na { color: #9aa5b1; }
        td.dim { color: var(--muted); }
        td.strong { font-weight: 650; }
        tbody tr:nth-child(even) { background: #fafbfc; }
        tr.idle td { color: #8793a0; }
        tfoot th, tfoot td { border-top: 2px solid #c5ced9; font-weight: 650; }
        table.totals th { font-weight: 500; min-width: 230px; }
        .member-id { display: block; font-weight: 600; }
        .addr { display: block; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 11px;
          color: var(--muted); }
        .ok { color: #1b7a3a; font-weight: 600; } .bad { color: var(--clear); font-weight: 600; }
        tr.reverted td { background: #fdecec; }
        p.empty { background: var(--soft); border: 1px dashed #c5ced9; padding: 10px 12px; color: var(--muted);
          border-radius: 6px; }
        footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line);
          padding-top: 8px; }
        @media (max-width: 700px) {
          main { padding: 14px 12px 32px; }
          h1 { font-size: 22px; }
          .multiples { grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); }
          th, td { padding: 4px 6px; }
        }
        @media print {
          @page { size: A4 landscape; margin: 12mm; }
          body { font-size: 11px; }
          main { max-width: none; padding: 0; }
          nav.toc { display: none; }
          h2 { break-after: avoid; }
          figure, .kpi, tr { break-inside: avoid; }
          .table-wrap { overflow: visible; }
          table { font-size: 10px; }
          .multiples { grid-template-columns: repeat(4, 1fr); }
          tbody tr:nth-child(even) { background: none; }
        }
        """
}
