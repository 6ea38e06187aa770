<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <!--
    Shared by the shipped transforms: maps given as a "from=to,from=to" parameter and/or an XML map
    file, and a simultaneous token replacement over a string.
  
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

  <!-- Replaces every bounded occurrence of every key in $text at once: a value rewritten by one
       entry is never rewritten again by another (10.0.0.1=10.0.0.2,10.0.0.2=10.0.0.3 swaps nothing
       twice). At one position the longest key wins. $prev is the character before $text. -->
  <xsl:template name="map-replace">
    <xsl:param name="text"/>
    <xsl:param name="map"/>
    <xsl:param name="kind"/>
    <xsl:param name="prev" select="''"/>
    <xsl:variable name="hay">
      <xsl:choose>
        <xsl:when test="$kind = 'ip'"><xsl:value-of select="translate($text, 'ABCDEF', 'abcdef')"/></xsl:when>
        <xsl:otherwise><xsl:value-of select="$text"/></xsl:otherwise>
      </xsl:choose>
    </xsl:variable>
    <xsl:variable name="hit">
      <xsl:call-template name="map-earliest">
        <xsl:with-param name="hay" select="string($hay)"/>
        <xsl:with-param name="entries" select="substring($map, 2)"/>
        <xsl:with-param name="kind" select="$kind"/>
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
        <xsl:call-template name="map-replace">
          <xsl:with-param name="text" select="substring($text, $pos + $len)"/>
          <xsl:with-param name="map" select="$map"/>
          <xsl:with-param name="kind" select="$kind"/>
          <xsl:with-param name="prev" select="substring($text, $pos + $len - 1, 1)"/>
        </xsl:call-template>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- "position;length;replacement" of the first bounded key occurrence in $hay, or ''. -->
  <xsl:template name="map-earliest">
    <xsl:param name="hay"/>
    <xsl:param name="entries"/>
    <xsl:param name="kind"/>
    <xsl:param name="prev"/>
    <xsl:if test="contains($entries, '=')">
      <xsl:variable name="entry" select="substring-before($entries, '&#10;')"/>
      <xsl:variable name="from" select="substring-before($entry, '=')"/>
      <xsl:variable name="pos">
        <xsl:call-template name="map-find">
          <xsl:with-param name="hay" select="$hay"/>
          <xsl:with-param name="from" select="$from"/>
          <xsl:with-param name="kind" select="$kind"/>
          <xsl:with-param name="prev" select="$prev"/>
          <xsl:with-param name="offset" select="0"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:variable name="others">
        <xsl:call-template name="map-earliest">
          <xsl:with-param name="hay" select="$hay"/>
          <xsl:with-param name="entries" select="substring-after($entries, '&#10;')"/>
          <xsl:with-param name="kind" select="$kind"/>
          <xsl:with-param name="prev" select="$prev"/>
        </xsl:call-template>
      </xsl:variable>
      <xsl:variable name="other-pos" select="number(substring-before($others, ';'))"/>
      <xsl:variable name="other-len" select="number(substring-before(substring-after($others, ';'), ';'))"/>
      <xsl:choose>
        <xsl:when test="$pos = 0 or $from = ''"><xsl:value-of select="$others"/></xsl:when>
        <xsl:when test="$others != '' and ($other-pos &lt; $pos or ($other-pos = $pos and $other-len &gt; string-length($from)))">
          <xsl:value-of select="$others"/>
        </xsl:when>
        <xsl:otherwise>
          <xsl:value-of select="concat($pos, ';', string-length($from), ';', substring-after($entry, '='))"/>
        </xsl:otherwise>
      </xsl:choose>
    </xsl:if>
  </xsl:template>

  <!-- 1-based position of the first occurrence of $from in $hay that stands alone as a token of
       $kind (see map-bounded), plus $offset; 0 when there is none. -->
  <xsl:template name="map-find">
    <xsl:param name="hay"/>
    <xsl:param name="from"/>
    <xsl:param name="kind"/>
    <xsl:param name="prev"/>
    <xsl:param name="offset"/>
    <xsl:choose>
      <xsl:when test="$from != '' and contains($hay, $from)">
        <xsl:variable name="before" select="substring-before($hay, $from)"/>
        <xsl:variable name="at" select="string-length($before) + 1"/>
        <xsl:variable name="after" select="substring($hay, $at + string-length($from))"/>
        <xsl:variable name="p">
          <xsl:choose>
            <xsl:when test="$at = 1"><xsl:value-of select="$prev"/></xsl:when>
            <xsl:otherwise><xsl:value-of select="substring($before, $at - 1, 1)"/></xsl:otherwise>
          </xsl:choose>
        </xsl:variable>
        <xsl:variable name="bounded">
          <xsl:call-template name="map-bounded">
            <xsl:with-param name="from" select="$from"/>
            <xsl:with-param name="kind" select="$kind"/>
            <xsl:with-param name="p" select="string($p)"/>
            <xsl:with-param name="n1" select="substring($after, 1, 1)"/>
            <xsl:with-param name="n2" select="substring($after, 2, 1)"/>
          </xsl:call-template>
        </xsl:variable>
        <xsl:choose>
          <xsl:when test="$bounded = 'yes'"><xsl:value-of select="$offset + $at"/></xsl:when>
          <xsl:otherwise>
            <xsl:call-template name="map-find">
              <xsl:with-param name="hay" select="substring($hay, $at + 1)"/>
              <xsl:with-param name="from" select="$from"/>
              <xsl:with-param name="kind" select="$kind"/>
              <xsl:with-param name="prev" select="substring($hay, $at, 1)"/>
              <xsl:with-param name="offset" select="$offset + $at"/>
            </xsl:call-template>
          </xsl:otherwise>
        </xsl:choose>
      </xsl:when>
      <xsl:otherwise>0</xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <!-- 'yes' when the characters around an occurrence ($p before, $n1 $n2 after; '' at the ends)
       make it a whole token: 10.0.0.1 is not inside 10.0.0.12 or 110.0.0.1, /srv/a is not inside
       /srv/ab or /x/srv/a, node1 is not inside node10 or node1.example.com. -->
  <xsl:template name="map-bounded">
    <xsl:param name="from"/>
    <xsl:param name="kind"/>
    <xsl:param name="p"/>
    <xsl:param name="n1"/>
    <xsl:param name="n2"/>
    <xsl:variable name="digits" select="'0123456789'"/>
    <xsl:choose>
      <xsl:when test="$kind = 'ip' and contains($from, ':')">
        <xsl:if test="not($p != '' and contains('0123456789abcdef:', $p)) and not($n1 != '' and contains('0123456789abcdef:', $n1))">yes</xsl:if>
      </xsl:when>
      <xsl:when test="$kind = 'ip'">
        <xsl:if test="not($p != '' and contains('0123456789.', $p)) and not($n1 != '' and contains($digits, $n1)) and not($n1 = '.' and $n2 != '' and contains($digits, $n2))">yes</xsl:if>
      </xsl:when>
      <xsl:when test="$kind = 'path'">
        <xsl:if test="not($p != '' and contains(concat('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '._-~+@/'), $p)) and ($n1 = '' or substring($from, string-length($from)) = '/' or not(contains(concat('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '._-~+@'), $n1)))">yes</xsl:if>
      </xsl:when>
      <xsl:otherwise>
        <xsl:if test="not($p != '' and contains(concat('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '._-'), $p)) and not($n1 != '' and contains(concat('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789', '._-'), $n1))">yes</xsl:if>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

</xsl:stylesheet>
