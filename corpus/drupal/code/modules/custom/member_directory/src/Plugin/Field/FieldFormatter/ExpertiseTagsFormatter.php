<?php

namespace Drupal\member_directory\Plugin\Field\FieldFormatter;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Field\Annotation\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;
use Drupal\Core\Url;

/**
 * Plugin implementation of the 'member_directory_expertise_tags' formatter.
 *
 * Each value links to a directory search for members with the same expertise.
 *
 * @FieldFormatter(
 *   id = "member_directory_expertise_tags",
 *   label = @Translation("Expertise tags"),
 *   field_types = {
 *     "string"
 *   }
 * )
 */
class ExpertiseTagsFormatter extends FormatterBase {

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode) {
    $tags = [];
    foreach ($items as $item) {
      $tag = trim($item->value);
      if ($tag === '') {
        continue;
      }
      $tags[] = [
        '#type' => 'link',
        '#title' => $tag,
        '#url' => Url::fromRoute('member_directory.listing', [], [
          'query' => ['keywords' => $tag],
        ]),
        '#attributes' => ['class' => ['member-expertise__tag']],
      ];
    }

    if (empty($tags)) {
      return [];
    }

    return [
      [
        '#theme' => 'item_list',
        '#items' => $tags,
        '#attributes' => ['class' => ['member-expertise']],
      ],
    ];
  }

}
