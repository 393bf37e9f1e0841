using System.Collections.Generic;
using NetGen.Generator.Model;

namespace NetGen.Generator.Reading;

/// <summary>Turns character offsets into zero-based line and column positions.</summary>
internal sealed class LineMap
{
    private readonly List<int> _lineStarts = new() { 0 };
    private readonly int _length;

    public LineMap(string text)
    {
        _length = text.Length;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '\n' || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                _lineStarts.Add(i + 1);
            }
        }
    }

    public SourceRange Range(int start, int end)
    {
        start = Clamp(start);
        end = Clamp(end < start ? start : end);
        var (startLine, startColumn) = Position(start);
        var (endLine, endColumn) = Position(end);
        return new SourceRange(start, end - start, startLine, startColumn, endLine, endColumn);
    }

    private int Clamp(int offset) => offset < 0 ? 0 : offset > _length ? _length : offset;

    private (int Line, int Column) Position(int offset)
    {
        int index = _lineStarts.BinarySearch(offset);
        int line = index >= 0 ? index : ~index - 1;
        return (line, offset - _lineStarts[line]);
    }
}
