<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <!--
    Shared by the shipped transforms: maps given as a "from=to,from=to" parameter and/or an XML map
    file, and replacement by a map in a string, of whole tokens (addresses, node names) or of path
    prefixes, every entry at once.

    A map is held as one string, "&#10;from=to&#10;from=to&#10;", so that a lookup is a
    substring-after() and no node-set functions (key(), exsl:node-set) are needed: key() is broken in
    xslt-processor, and exsl is not available there.

    Only named templates live here. xslt-processor does not let an including stylesheet override a
    template rule from an included one, so each transform keeps its own identity rule. And no
    global variables: xslt-processor resolves an including stylesheet's globals before an included
    one's, so the transforms' $map could not use them.
  -->

  <!-- The map string for a "from=to,…" parameter plus the <entry from= to=/> of an XML map file.
       kind 'ip' lower-cases the keys: IPv6 hex digits compare case-insensitively. -->
  <xsl:template name="map-build">
    <xsl:param name="pairs"/>
    <xsl:param name="file"/>
    <xsl:param name="kind"/>
    <xsl:param name="what"/>
    <xsl:value-of select="'&#10;'"/>
    <xsl:call-template name="map-split">
      <xsl:with-param name="rest" select="$pairs"/>
      <xsl:with-param name="kind" select="$kind"/>
      <xsl:with-param name="what" select="$what"/>
    </xsl:call-template>
    <xsl:if test="$file != ''">
      <xsl:variable name="entries" select="document($file)/map/entry"/>
      <xsl:if test="not($entries)">
        <xsl:message terminate="yes">cibsync: <xsl:value-of select="$what"/>_file '<xsl:value-of select="$file"/>' has no /map/entry elements (or cannot be read)</xsl:message>
      </xsl:if>
      <xsl:for-each select="$entries">
        <xsl:call-template name="map-entry">
          <xsl:with-param name="from" select="@from"/>
          <xsl:with-param name="to" select="@to"/>
          <xsl:with-param name="kind" select="$kind"/>
        </xsl:call-template>
      </xsl:for-each>
    </xsl:if>
  </xsl:template>

  <xsl:template name="map-split">
    <xsl:param name="rest"/>
    <xsl:param name="kind"/>
    <xsl:param name="what"/>
    <xsl:variable name="head">
      <xsl:choose>
        <xsl:when test="contains($rest, ',')"><xsl:value-of select="substring-before($rest, ',')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$rest"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:if test="normalize-space($head) != ''">
      <xsl:if test="not(contains($head, '='))">
        <xsl:message terminate="yes">cibsync: <xsl:value-of select="$what"/> entry '<xsl:value-of select="$head"/>' is not from=to</xsl:message>
      </xsl:if>
      <xsl:call-template name="map-entry">
        <xsl:with-param name="from" select="substring-before($head, '=')"/>
        <xsl:with-param name="to" select="substring-after($head, '=')"/>
        <xsl:with-param name="kind" select="$kind"/>
      </xsl:call-template>
    </xsl:if>
    <xsl:if test="contains($rest, ',')">
      <xsl:call-template name="map-split">
        <xsl:with-param name="rest" select="substring-after($rest, ',')"/>
        <xsl:with-param name="kind" select="$kind"/>
        <xsl:with-param name="what" select="$what"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <!-- Writes "from=to&#10;" with both sides trimmed of surrounding blanks. -->
  <xsl:template name="map-entry">
    <xsl:param name="from"/>
    <xsl:param name="to"/>
    <xsl:param name="kind"/>
    <xsl:variable name="key">
      <xsl:call-template name="map-trim"><xsl:with-param name="s" select="$from"/></xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$kind = 'ip'"><xsl:value-of select="translate($key, 'ABCDEF', 'abcdef')"/></xsl:when>
      <xsl:otherwise><xsl:value-of select="$key"/></xsl:otherwise>
    </xsl:choose>
    <xsl:text>=</xsl:text>
    <xsl:call-template name="map-trim"><xsl:with-param name="s" select="$to"/></xsl:call-template>
    <xsl:value-of select="'&#10;'"/>
  </xsl:template>

  <!-- Leading and trailing blanks only; inner whitespace (a value such as "a  b") is kept. -->
  <xsl:template name="map-trim">
    <xsl:param name="s"/>
    <xsl:variable name="core" select="normalize-space($s)"/>
    <xsl:if test="$core != ''">
      <xsl:variable name="lead" select="string-length(substring-before($s, substring($core, 1, 1)))"/>
      <xsl:variable name="tail" select="substring($s, $lead + 1)"/>
      <xsl:call-template name="map-trim-end">
        <xsl:with-param name="s" select="$tail"/>
      </xsl:call-template>
    </xsl:if>
  </xsl:template>

  <xsl:template name="map-trim-end">
    <xsl:param name="s"/>
    <xsl:choose>
      <xsl:when test="normalize-space(substring($s, string-length($s))) = ''">
        <xsl:call-template name="map-trim-end">
          <xsl:with-param name="s" select="substring($s, 1, string-length($s) - 1)"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$s"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Token maps (addresses, node names). $text is cut into maximal runs of token characters
       (kind 'ip': hex digits, '.' and ':'; kind 'name': letters, digits, '.', '_' and '-'), and each
       run that is a key is replaced: 10.0.0.1 is not touched inside 10.0.0.12 or 110.0.0.1, nor
       node1 inside node10 or node1.example.com. Every run is looked up once, in the map string, so
       the cost does not grow with the number of entries, and all entries apply at once (a swap
       map works). An 'ip' run that is not a key but holds '.' and ':' is looked up piece by piece
       between the colons: 10.0.0.1:8080 and ::ffff:10.0.0.1 hold the address 10.0.0.1. -->
  <xsl:template name="map-replace-tokens">
    <xsl:param name="text"/>
    <xsl:param name="map"/>
    <xsl:param name="kind"/>
    <!-- Select expressions throughout, not xsl:choose: libxslt builds a result tree fragment for
         every variable with content, and that allocation per value dominates on big inputs. -->
    <xsl:variable name="chars" select="concat(substring('0123456789abcdefABCDEF.:', 1, 24 * number($kind = 'ip')),
                                              substring('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-', 1, 65 * number($kind != 'ip')))"/>
    <xsl:call-template name="map-runs">
      <xsl:with-param name="text" select="$text"/>
      <xsl:with-param name="map" select="$map"/>
      <xsl:with-param name="kind" select="$kind"/>
      <xsl:with-param name="chars" select="$chars"/>
      <!-- Every token character becomes '0', itself a token character of both kinds, so that
           "where does the next run start" is one substring-before($mask, '0'). -->
      <xsl:with-param name="zeros" select="translate($chars, $chars, '00000000000000000000000000000000000000000000000000000000000000000')"/>
    </xsl:call-template>
  </xsl:template>

  <xsl:template name="map-runs">
    <xsl:param name="text"/>
    <xsl:param name="map"/>
    <xsl:param name="kind"/>
    <xsl:param name="chars"/>
    <xsl:param name="zeros"/>
    <xsl:variable name="mask" select="translate($text, $chars, $zeros)"/>
    <xsl:choose>
      <xsl:when test="not(contains($mask, '0'))"><xsl:value-of select="$text"/></xsl:when>
      <xsl:otherwise>
        <xsl:variable name="lead" select="string-length(substring-before($mask, '0'))"/>
        <xsl:variable name="from-run" select="substring($mask, $lead + 1)"/>
        <!-- The run ends at the first character that is not '0' in the mask. -->
        <xsl:variable name="stop" select="substring(translate($from-run, '0', ''), 1, 1)"/>
        <!-- (With no such character, the run goes to the end: the appended blank is then the stop.) -->
        <xsl:variable name="run-length" select="string-length(substring-before(concat($from-run, ' '), concat($stop, substring(' ', 1, number($stop = '')))))"/>
        <xsl:value-of select="substring($text, 1, $lead)"/>
        <xsl:call-template name="map-token">
          <xsl:with-param name="token" select="substring($text, $lead + 1, $run-length)"/>
          <xsl:with-param name="map" select="$map"/>
          <xsl:with-param name="kind" select="$kind"/>
        </xsl:call-template>
        <xsl:call-template name="map-runs">
          <xsl:with-param name="text" select="substring($text, $lead + $run-length + 1)"/>
          <xsl:with-param name="map" select="$map"/>
          <xsl:with-param name="kind" select="$kind"/>
          <xsl:with-param name="chars" select="$chars"/>
          <xsl:with-param name="zeros" select="$zeros"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template name="map-token">
    <xsl:param name="token"/>
    <xsl:param name="map"/>
    <xsl:param name="kind"/>
    <xsl:variable name="key" select="concat('&#10;', translate($token, substring('ABCDEF', 1, 6 * number($kind = 'ip')), 'abcdef'), '=')"/>
    <xsl:choose>
      <xsl:when test="contains($map, $key)"><xsl:value-of select="substring-before(substring-after($map, $key), '&#10;')"/></xsl:when>
      <xsl:when test="$kind = 'ip' and contains($token, '.') and contains($token, ':')">
        <xsl:call-template name="map-token">
          <xsl:with-param name="token" select="substring-before($token, ':')"/>
          <xsl:with-param name="map" select="$map"/>
          <xsl:with-param name="kind" select="$kind"/>
        </xsl:call-template>
        <xsl:text>:</xsl:text>
        <xsl:call-template name="map-token">
          <xsl:with-param name="token" select="substring-after($token, ':')"/>
          <xsl:with-param name="map" select="$map"/>
          <xsl:with-param name="kind" select="$kind"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise><xsl:value-of select="$token"/></xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- Path-prefix maps. Replaces every occurrence of every key that starts a path (at the start of
       $text, or after a character that cannot be part of a path name) and ends at a component
       boundary: /srv/a matches /srv/a and /srv/a/x, not /srv/ab or /x/srv/a. The first occurrence
       in $text wins, then the longest key at that position; all entries apply at once. $prev is
       the character before $text. -->
  <xsl:template name="map-replace-prefixes">
    <xsl:param name="text"/>
    <xsl:param name="map"/>
    <xsl:param name="prev" select="''"/>
    <xsl:variable name="hit">
      <xsl:call-template name="map-earliest">
        <xsl:with-param name="text" select="$text"/>
        <xsl:with-param name="entries" select="substring($map, 2)"/>
        <xsl:with-param name="prev" select="$prev"/>
      </xsl:call-template>
    </xsl:variable>
    <xsl:choose>
      <xsl:when test="$hit = ''"><xsl:value-of select="$text"/></xsl:when>
      <xsl:otherwise>
        <!-- $hit is "position;length;replacement" -->
        <xsl:variable name="pos" select="number(substring-before($hit, ';'))"/>
        <xsl:variable name="len" select="number(substring-before(substring-after($hit, ';'), ';'))"/>
        <xsl:value-of select="substring($text, 1, $pos - 1)"/>
        <xsl:value-of select="substring-after(substring-after($hit, ';'), ';')"/>
        <xsl:call-template name="map-replace-prefixes">
          <xsl:with-param name="text" select="substring($text, $pos + $len)"/>
          <xsl:with-param name="map" select="$map"/>
          <xsl:with-param name="prev" select="substring($text, $pos + $len - 1, 1)"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "position;length;replacement" of the first key occurrence in $text that starts a path, or ''.
       Walks the entries with the best hit so far in $best (a tail call) and looks for a position
       only for keys that occur at all, so that result tree fragments are built only for those. -->
  <xsl:template name="map-earliest">
    <xsl:param name="text"/>
    <xsl:param name="entries"/>
    <xsl:param name="prev"/>
    <xsl:param name="best" select="''"/>
    <xsl:variable name="entry" select="substring-before($entries, '&#10;')"/>
    <xsl:variable name="from" select="substring-before($entry, '=')"/>
    <xsl:choose>
      <xsl:when test="not(contains($entries, '='))"><xsl:value-of select="$best"/></xsl:when>
      <xsl:when test="$from = '' or not(contains($text, $from))">
        <xsl:call-template name="map-earliest">
          <xsl:with-param name="text" select="$text"/>
          <xsl:with-param name="entries" select="substring-after($entries, '&#10;')"/>
          <xsl:with-param name="prev" select="$prev"/>
          <xsl:with-param name="best" select="$best"/>
        </xsl:call-template>
      </xsl:when>
      <xsl:otherwise>
        <xsl:variable name="pos">
          <xsl:call-template name="map-find">
            <xsl:with-param name="text" select="$text"/>
            <xsl:with-param name="from" select="$from"/>
            <xsl:with-param name="prev" select="$prev"/>
            <xsl:with-param name="offset" select="0"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:variable name="best-pos" select="number(substring-before($best, ';'))"/>
        <xsl:variable name="best-len" select="number(substring-before(substring-after($best, ';'), ';'))"/>
        <xsl:call-template name="map-earliest">
          <xsl:with-param name="text" select="$text"/>
          <xsl:with-param name="entries" select="substring-after($entries, '&#10;')"/>
          <xsl:with-param name="prev" select="$prev"/>
          <xsl:with-param name="best">
            <xsl:choose>
              <xsl:when test="$pos = 0 or ($best != '' and ($best-pos &lt; $pos or ($best-pos = $pos and $best-len &gt;= string-length($from))))">
                <xsl:value-of select="$best"/>
              </xsl:when>
              <xsl:otherwise><xsl:value-of select="concat($pos, ';', string-length($from), ';', substring-after($entry, '='))"/></xsl:otherwise>
            </xsl:choose>
          </xsl:with-param>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- 1-based position, plus $offset, of the first occurrence of $from in $text that starts a path
       and ends at a component boundary; 0 when there is none. -->
  <xsl:template name="map-find">
    <xsl:param name="text"/>
    <xsl:param name="from"/>
    <xsl:param name="prev"/>
    <xsl:param name="offset"/>
    <xsl:variable name="name-chars" select="'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-~+@'"/>
    <xsl:choose>
      <xsl:when test="contains($text, $from)">
        <xsl:variable name="at" select="string-length(substring-before($text, $from)) + 1"/>
        <xsl:variable name="before" select="concat($prev, substring($text, 1, $at - 1))"/>
        <xsl:variable name="p" select="substring($before, string-length($before))"/>
        <xsl:variable name="n" select="substring($text, $at + string-length($from), 1)"/>
        <xsl:choose>
          <xsl:when test="not($p != '' and contains(concat($name-chars, '/'), $p))
                          and ($n = '' or substring($from, string-length($from)) = '/' or not(contains($name-chars, $n)))">
            <xsl:value-of select="$offset + $at"/>
          </xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="map-find">
              <xsl:with-param name="text" select="substring($text, $at + 1)"/>
              <xsl:with-param name="from" select="$from"/>
              <xsl:with-param name="prev" select="substring($text, $at, 1)"/>
              <xsl:with-param name="offset" select="$offset + $at"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>0</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
