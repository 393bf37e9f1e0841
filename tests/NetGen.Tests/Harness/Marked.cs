namespace NetGen.Tests.Harness;

/// <summary>
/// Test text with a '»' marking where a diagnostic must start: the text without the marker,
/// and the marker's zero-based line and column.
/// </summary>
internal readonly record struct Marked(string Text, int Line, int Column)
{
    public static Marked Parse(string marked)
    {
        int marker = marked.IndexOf('»');
        int lineStart = marker == 0 ? 0 : marked.LastIndexOf('\n', marker - 1) + 1;
        int line = 0;
        for (int i = 0; i < marker; i++)
        {
            line += marked[i] == '\n' ? 1 : 0;
        }

        return new Marked(marked.Remove(marker, 1), line, marker - lineStart);
    }
}
