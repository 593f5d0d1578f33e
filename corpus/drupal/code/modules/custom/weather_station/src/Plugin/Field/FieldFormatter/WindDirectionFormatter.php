<?php

namespace Drupal\weather_station\Plugin\Field\FieldFormatter;

use Drupal\Core\Annotation\Translation;
use Drupal\Core\Field\Annotation\FieldFormatter;
use Drupal\Core\Field\FieldItemListInterface;
use Drupal\Core\Field\FormatterBase;

/**
 * Turns a wind direction in degrees into a compass point such as NNE.
 *
 * @FieldFormatter(
 *   id = "weather_station_wind_direction",
 *   label = @Translation("Compass direction"),
 *   field_types = {
 *     "integer"
 *   }
 * )
 */
class WindDirectionFormatter extends FormatterBase {

  /**
   * The sixteen compass points, clockwise from north.
   */
  const POINTS = ['N', 'NNE', 'NE', 'ENE', 'E', 'ESE', 'SE', 'SSE', 'S', 'SSW', 'SW', 'WSW', 'W', 'WNW', 'NW', 'NNW'];

  /**
   * {@inheritdoc}
   */
  public function viewElements(FieldItemListInterface $items, $langcode) {
    $elements = [];
    foreach ($items as $delta => $item) {
      $degrees = ((int) $item->value % 360 + 360) % 360;
      $index = (int) round($degrees / 22.5) % 16;
      $elements[$delta] = [
        '#type' => 'html_tag',
        '#tag' => 'abbr',
        '#value' => self::POINTS[$index],
        '#attributes' => [
          'title' => $this->t('@degrees degrees', ['@degrees' => $degrees]),
        ],
      ];
    }
    return $elements;
  }

}
