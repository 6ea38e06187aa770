<?xml version="1.0" encoding="UTF-8"?>
<!--
  drop: removes objects by id or by Pacemaker tag, together with what would dangle without them.

  Parameters:
    drop_ids  comma-separated ids: resources, constraints, any element with an id
    drop_tag  comma-separated ids of <tag> elements: every object the tag lists is dropped, and the
              tag itself

  Also dropped: constraints whose rsc, with-rsc, first or then names a dropped id; resource_ref and
  obj_ref elements naming one; tags and resource sets left with no members; constraints left with
  no resource set. A group or clone whose only member was dropped is not repaired: the candidate
  then fails Pacemaker's schema check and is refused, so drop the enclosing object instead.

  Dropping by XPath: XSLT 1.0 cannot take a match pattern as a parameter, so
  `cibsync transform new NAME -\-drop PATTERN` writes a stylesheet with the pattern in it.
-->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" encoding="UTF-8"/>

  <xsl:param name="drop_ids" select="''"/>
  <xsl:param name="drop_tag" select="''"/>

  <xsl:variable name="tags" select="concat(',', translate($drop_tag, ' ', ''), ',')"/>

  <!-- ",id,id,…," : membership is one contains(); key() cannot be used (broken in xslt-processor). -->
  <xsl:variable name="ids">
    <xsl:value-of select="concat(',', translate($drop_ids, ' ', ''), $tags)"/>
    <xsl:for-each select="/configuration/tags/tag[contains($tags, concat(',', @id, ','))]/obj_ref">
      <xsl:value-of select="concat(@id, ',')"/>
    </xsl:for-each>
  </xsl:variable>

  <xsl:template match="/">
    <xsl:if test="translate($tags, ',', '') != '' and not(/configuration/tags/tag[contains($tags, concat(',', @id, ','))])">
      <xsl:message terminate="yes">cibsync: drop_tag '<xsl:value-of select="$drop_tag"/>' names no tag of this configuration</xsl:message>
    </xsl:if>
    <xsl:apply-templates/>
  </xsl:template>

  <!-- Dropped: a listed element; a constraint naming a listed resource; a tag or resource set left
       with no members; a constraint whose resource sets are all left empty. -->
  <xsl:template match="*">
    <xsl:if test="not(@id[contains($ids, concat(',', ., ','))] or @rsc[contains($ids, concat(',', ., ','))]
                      or @with-rsc[contains($ids, concat(',', ., ','))] or @first[contains($ids, concat(',', ., ','))]
                      or @then[contains($ids, concat(',', ., ','))]
                      or ((self::tag or self::resource_set) and * and not(*[not(contains($ids, concat(',', @id, ',')))]))
                      or (resource_set and not(resource_set/resource_ref[not(contains($ids, concat(',', @id, ',')))])))">
      <xsl:copy><xsl:apply-templates select="@*|node()"/></xsl:copy>
    </xsl:if>
  </xsl:template>

  <xsl:template match="@*|text()|comment()|processing-instruction()">
    <xsl:copy/>
  </xsl:template>
</xsl:stylesheet>
