<?php

declare(strict_types=1);

namespace Drupal\member_directory\Plugin\views\field;

use Drupal\Component\Datetime\TimeInterface;
use Drupal\Component\Render\MarkupInterface;
use Drupal\Core\Datetime\DateFormatterInterface;
use Drupal\Core\Form\FormStateInterface;
use Drupal\views\Attribute\ViewsField;
use Drupal\views\Plugin\views\field\FieldPluginBase;
use Drupal\views\ResultRow;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Renders how long someone has been a member, such as "Member for 2 years".
 */
#[ViewsField('member_directory_member_since')]
class MemberSince extends FieldPluginBase {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly DateFormatterInterface $dateFormatter,
    protected readonly TimeInterface $time,
  ) {
    parent::__construct($configuration, $plugin_id, $plugin_definition);
  }

  /**
   * {@inheritdoc}
   */
  public static function create(ContainerInterface $container, array $configuration, $plugin_id, $plugin_definition): static {
    return new static(
      $configuration,
      $plugin_id,
      $plugin_definition,
      $container->get('date.formatter'),
      $container->get('datetime.time'),
    );
  }

  /**
   * {@inheritdoc}
   */
  protected function defineOptions(): array {
    $options = parent::defineOptions();
    $options['granularity'] = ['default' => 1];
    return $options;
  }

  /**
   * {@inheritdoc}
   */
  public function buildOptionsForm(&$form, FormStateInterface $form_state): void {
    parent::buildOptionsForm($form, $form_state);
    $form['granularity'] = [
      '#type' => 'select',
      '#title' => $this->t('Precision'),
      '#options' => [
        1 => $this->t('Years only'),
        2 => $this->t('Years and months'),
      ],
      '#default_value' => $this->options['granularity'],
    ];
  }

  /**
   * {@inheritdoc}
   */
  public function render(ResultRow $values): MarkupInterface|string {
    $created = (int) $this->getValue($values);
    if ($created === 0) {
      return '';
    }
    $interval = $this->dateFormatter->formatDiff($created, $this->time->getRequestTime(), [
      'granularity' => (int) $this->options['granularity'],
    ]);
    return $this->t('Member for @interval', ['@interval' => $interval]);
  }

}
