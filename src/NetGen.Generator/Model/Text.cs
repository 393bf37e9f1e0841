using System.Text;

namespace NetGen.Generator.Model;

/// <summary>Text from a description made safe to show in a message or a generated comment.</summary>
internal static class Text
{
    /// <summary>
    /// Replaces every line break (including U+2028, U+2029 and U+0085) and control character
    /// with a visible \uXXXX escape, so the text stays on one line and cannot end a comment.
    /// </summary>
    public static string Printable(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (char.IsControl(c) || c is '\u2028' or '\u2029' or '\u0085')
            {
                builder.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    /// <summary>A shape as messages write it: <c>[3, 2]</c>.</summary>
    public static string Shape(System.Collections.Generic.IReadOnlyList<int> shape)
    {
        var parts = new string[shape.Count];
        for (int i = 0; i < shape.Count; i++)
        {
            parts[i] = shape[i].ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return "[" + string.Join(", ", parts) + "]";
    }
}
