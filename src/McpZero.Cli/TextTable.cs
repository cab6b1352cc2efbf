namespace McpZero.Cli;

/// <summary>A plain left-aligned text table for terminal output.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public void Add(params string[] cells) => _rows.Add(cells);

    public void Write(TextWriter output)
    {
        int[] widths = new int[headers.Length];
        foreach (string[] row in _rows.Prepend(headers))
        {
            for (int i = 0; i < row.Length && i < widths.Length; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (string[] row in _rows.Prepend(headers))
        {
            var cells = new string[row.Length];
            for (int i = 0; i < row.Length; i++)
            {
                cells[i] = i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]);
            }

            output.WriteLine(string.Join("  ", cells));
        }
    }
}
