<?php

declare(strict_types=1);

namespace Drupal\member_directory\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\Form\FormStateInterface;
use Drupal\Core\Plugin\ContainerFactoryPluginInterface;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Url;
use Drupal\member_directory\MemberCardBuilder;
use Drupal\member_directory\MemberSearchInterface;
use Symfony\Component\DependencyInjection\ContainerInterface;

/**
 * Welcomes the members who joined most recently, as a grid of member cards.
 */
#[Block(
  id: 'member_directory_newest_members',
  admin_label: new TranslatableMarkup('Newest members'),
  category: new TranslatableMarkup('Member directory'),
)]
class NewestMembersBlock extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(
    array $configuration,
    $plugin_id,
    $plugin_definition,
    protected readonly MemberSearchInterface $memberSearch,
    protected readonly MemberCardBuilder $cardBuilder,
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
      $container->get('member_directory.search'),
      $container->get('member_directory.card_builder'),
    );
  }

  /**
   * {@inheritdoc}
   */
  public function defaultConfiguration(): array {
    return ['count' => 4] + parent::defaultConfiguration();
  }

  /**
   * {@inheritdoc}
   */
  public function blockForm($form, FormStateInterface $form_state): array {
    $form['count'] = [
      '#type' => 'number',
      '#title' => $this->t('Number of members'),
      '#min' => 1,
      '#max' => 12,
      '#default_value' => $this->configuration['count'],
    ];
    return $form;
  }

  /**
   * {@inheritdoc}
   */
  public function blockSubmit($form, FormStateInterface $form_state): void {
    $this->configuration['count'] = (int) $form_state->getValue('count');
  }

  /**
   * {@inheritdoc}
   */
  public function build(): array {
    $members = $this->memberSearch->newest((int) $this->configuration['count']);
    if (!$members) {
      return [];
    }
    $cards = array_map(fn ($member): array => $this->cardBuilder->build($member), $members);

    return [
      'grid' => [
        '#type' => 'component',
        '#component' => 'member_directory:member-grid',
        '#props' => ['columns' => min(4, count($cards))],
        '#slots' => ['cards' => $cards],
      ],
      'more' => [
        '#type' => 'link',
        '#title' => $this->t('Browse all members'),
        '#url' => Url::fromRoute('member_directory.listing'),
      ],
      '#cache' => ['tags' => ['user_list']],
    ];
  }

}
